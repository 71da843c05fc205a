import { GitjobsError } from '../errors.js';
import { getCronJobByName } from '../store/cronjobs.js';
import type { Cascade } from '../sync/manual.js';
import { deleteCronJob, instantiateCronJob, patchCronJob } from '../sync/manual-cronjob.js';
import type { ControlHandler } from './control.js';

const CASCADES: readonly Cascade[] = ['background', 'foreground', 'orphan'];
const ns = (v: unknown): string => (typeof v === 'string' ? v : 'default');

/** `gitjobs patch cronjob NAME -p PATCH`. */
export const patchCronJobOp: ControlHandler = (req, ctx) => {
  if (typeof req.name !== 'string') throw new GitjobsError('Usage', 'error: patch needs a CronJob name');
  const { cronJob, changed } = patchCronJob(ctx.db, ns(req.namespace), req.name, req.patch);
  if (changed) {
    ctx.cronJobs.enqueue(cronJob.uid);
    ctx.logger.info('cronjob patched', { cronjob: `${cronJob.namespace}/${cronJob.name}`, generation: cronJob.generation });
  }
  return { name: cronJob.name, changed };
};

/** `gitjobs delete cronjob NAME...`. */
export const deleteCronJobsOp: ControlHandler = (req, ctx) => {
  const cascade = (typeof req.cascade === 'string' ? req.cascade : 'background') as Cascade;
  if (!CASCADES.includes(cascade)) throw new GitjobsError('Usage', `error: invalid cascade value (${String(req.cascade)})`);
  const names = Array.isArray(req.names) ? req.names.filter((n): n is string => typeof n === 'string') : [];
  const deleted: { name: string; uid: string }[] = [];
  const notFound: string[] = [];
  for (const name of names) {
    const cj = getCronJobByName(ctx.db, ns(req.namespace), name);
    if (cj === undefined) {
      notFound.push(name);
      continue;
    }
    deleteCronJob(ctx.db, cj, cascade, ctx.clock.now());
    ctx.cronJobs.enqueue(cj.uid);
    ctx.logger.info('cronjob deleted by request', { cronjob: `${cj.namespace}/${cj.name}`, cascade });
    deleted.push({ name, uid: cj.uid });
  }
  return { deleted, notFound };
};

/** `gitjobs create job NAME --from=cronjob/X`. */
export const createJobFromOp: ControlHandler = (req, ctx) => {
  if (typeof req.name !== 'string' || typeof req.cronJob !== 'string') throw new GitjobsError('Usage', 'error: create job needs NAME and --from=cronjob/NAME');
  const job = instantiateCronJob(ctx.db, ns(req.namespace), req.cronJob, req.name, ctx.clock.now());
  ctx.controller.enqueue(job.uid);
  ctx.cronJobs.enqueue(job.owner!.uid);
  ctx.logger.info('job created from cronjob', { job: `${job.namespace}/${job.name}`, cronjob: req.cronJob });
  return { name: job.name, uid: job.uid };
};
