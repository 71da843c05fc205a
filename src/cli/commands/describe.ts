import { nodeOf } from '../../api/node.js';
import { listEventsFor } from '../../store/events.js';
import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import { notFound, parseResourceArgs } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Show details of a job or pod, with its events.

Usage:
  gitjobs describe (jobs|cronjobs|pods) NAME... | gitjobs describe TYPE/NAME
Options:
  -n, --namespace NS   namespace (default "default")
      --state DIR      state folder (default $GITJOBS_STATE or ./state)
`;

export async function describeCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('describe', argv, {
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const { resource, names } = parseResourceArgs(positionals, 'describe');
  if (names.length === 0) throw usageError(`describe needs a name: gitjobs describe ${resource} NAME`, 'describe');
  const namespace = (values.namespace as string | undefined) ?? 'default';
  if (resource !== 'jobs' && resource !== 'pods' && resource !== 'cronjobs') throw usageError(`describe supports jobs, cronjobs and pods, not ${resource}`, 'describe');
  // Only the modules of the kind described, loading while the state is opened:
  // start-up is most of a describe's time.
  const jobModules = resource === 'jobs' ? Promise.all([import('../../store/jobs.js'), import('../../store/status.js'), import('../print/describe-job.js')]) : undefined;
  const cronJobModules = resource === 'cronjobs' ? Promise.all([import('../../store/cronjobs.js'), import('../print/describe-cronjob.js')]) : undefined;
  const podModules = resource === 'pods' ? Promise.all([import('../../store/pods.js'), import('../print/describe-pod.js')]) : undefined;
  const db = openStateReadOnly(stateDirFrom(values.state as string | undefined));
  const now = Date.now();
  try {
    const out: string[] = [];
    if (jobModules !== undefined) {
      const [{ getJobByName }, { getJobStatus }, { describeJob }] = await jobModules;
      for (const name of names) {
        const job = getJobByName(db, namespace, name);
        if (job === undefined) throw notFound('jobs', name);
        const events = listEventsFor(db, { kind: 'Job', namespace, name, uid: job.uid });
        const c = job.origin.commit;
        const provenance: [string, string][] =
          c === undefined ? [] : [['Commit', c.sha], ['Author', `${c.author} <${c.email}>`], ['Subject', c.subject]];
        // kubectl's Job description counts pods from the status and lists none, so no pod is read.
        out.push(describeJob({ job, status: getJobStatus(db, job.uid), events, origin: job.origin, provenance }, now));
      }
    } else if (cronJobModules !== undefined) {
      const [{ getCronJobByName, getCronJobStatus }, { describeCronJob }] = await cronJobModules;
      for (const name of names) {
        const cronJob = getCronJobByName(db, namespace, name);
        if (cronJob === undefined) throw notFound('cronjobs', name);
        const events = listEventsFor(db, { kind: 'CronJob', namespace, name, uid: cronJob.uid });
        out.push(describeCronJob({ cronJob, status: getCronJobStatus(db, cronJob.uid), events }, now));
      }
    } else if (podModules !== undefined) {
      const [{ getPodByName }, { describePod }] = await podModules;
      for (const name of names) {
        const pod = getPodByName(db, namespace, name);
        if (pod === undefined) throw notFound('pods', name);
        const events = listEventsFor(db, { kind: 'Pod', namespace, name, uid: pod.uid });
        const node = nodeOf(pod);
        out.push(describePod({ pod, events, ...(node === undefined ? {} : { node }) }, now));
      }
    }
    io.out(out.join('\n\n'));
    return 0;
  } finally {
    db.close();
  }
}
