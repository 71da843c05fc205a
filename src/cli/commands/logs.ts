import type { Pod } from '../../api/types.js';
import { followLog, readWithRotated, renderLog as render, type LogView } from '../../executor/logs/read.js';
import { containerLogPath } from '../../executor/logs/paths.js';
import type { Db } from '../../store/db.js';
import { getJobByName } from '../../store/jobs.js';
import { getPod, getPodByName, listPods, listPodsOfRun } from '../../store/pods.js';
import { isPodGone } from '../../api/pods.js';
import { parseSelector } from '../../api/selector.js';
import { listRuns } from '../../store/runs.js';
import { parseCommandOrHelp, parseDuration, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import { notFound, resolveResource } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { GitjobsError } from '../../errors.js';
import { escapeTerminalKeepColors } from '../print/tabwriter.js';

const HELP = `Print the logs for a container in a pod or job.

Usage:
  gitjobs logs POD [-c CONTAINER] | gitjobs logs job/NAME | gitjobs logs pod/NAME | gitjobs logs -l SELECTOR
Options:
  -l, --selector SEL     the pods whose labels match, e.g. job-name=pi (--tail defaults to 10, as kubectl)
      --max-log-requests N  with -l and -f: most pods followed at once (default 5)
  -c, --container NAME   container (default: the first, as kubectl)
      --all-containers   every container of the pod
  -p, --previous         the previous run of a restarted container
  -f, --follow           stream the log until the pod ends
      --tail N           only the last N lines
      --prefix           prefix each line with [pod/NAME/CONTAINER]
      --timestamps       prefix each line with the time it was written (RFC 3339)
      --since DURATION   only lines written in the last DURATION (e.g. 10s, 5m)
      --run N            with job/NAME: a past run's logs (N from 'gitjobs history job NAME';
                         kept after the Job was deleted by its TTL, pruned or replaced)
  -n, --namespace NS     namespace (default "default")
      --state DIR        state folder (default $GITJOBS_STATE or ./state)
`;

export async function logsCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('logs', argv, {
    container: { type: 'string', short: 'c' },
    'all-containers': { type: 'boolean' },
    previous: { type: 'boolean', short: 'p' },
    follow: { type: 'boolean', short: 'f' },
    tail: { type: 'string' },
    prefix: { type: 'boolean' },
    timestamps: { type: 'boolean' },
    since: { type: 'string' },
    run: { type: 'string' },
    selector: { type: 'string', short: 'l' },
    'max-log-requests': { type: 'string' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const selector = values.selector as string | undefined;
  if (selector !== undefined && positionals.length > 0) throw usageError('only one of a selector (-l) or a POD name may be given', 'logs');
  if (selector === undefined && positionals.length === 0) throw usageError('expected POD, TYPE/NAME or -l SELECTOR', 'logs');
  if (positionals.length > 2) throw usageError('expected POD [CONTAINER]', 'logs');
  const maxRequests = values['max-log-requests'] === undefined ? 5 : Number(values['max-log-requests']);
  if (!Number.isInteger(maxRequests) || maxRequests < 1) throw usageError(`--max-log-requests takes a whole number ≥ 1, not "${String(values['max-log-requests'])}"`, 'logs');
  const namespace = (values.namespace as string | undefined) ?? 'default';
  // kubectl shows the last 10 lines of each pod a selector picks, unless told otherwise.
  const tail = values.tail === undefined ? (selector === undefined ? -1 : 10) : Number(values.tail);
  if (!Number.isInteger(tail) || tail < -1) throw usageError(`invalid --tail value "${String(values.tail)}"`, 'logs');
  const sinceMs = values.since === undefined ? undefined : parseDuration(values.since as string, 'logs');
  const view: LogView = { tail, timestamps: values.timestamps === true, sinceAt: sinceMs === undefined ? undefined : Date.now() - sinceMs };
  const stateDir = stateDirFrom(values.state as string | undefined);
  // Like kubectl, logs go out as the pod wrote them when piped or redirected.
  // A terminal, though, would obey whatever control sequences a pod printed
  // (retitle the window, clear the screen, rewrite earlier lines), so there they
  // are shown escaped; colours pass.
  const raw = io.out;
  if (process.stdout.isTTY === true) io = { ...io, out: (s) => raw(escapeTerminalKeepColors(s)) };
  const db = openStateReadOnly(stateDir);
  try {
    const run = values.run === undefined ? undefined : Number(values.run);
    if (run !== undefined && (!Number.isInteger(run) || run < 1)) throw usageError(`--run takes a run number from 'gitjobs history', not "${String(values.run)}"`, 'logs');
    if (run !== undefined && selector !== undefined) throw usageError('--run goes with job/NAME, not -l', 'logs');
    const pods =
      selector !== undefined
        ? selectPods(db, namespace, selector)
        : run === undefined
          ? resolvePods(db, positionals[0]!, namespace, io)
          : podsOfRun(db, positionals[0]!, namespace, run, io);
    if (selector !== undefined && pods.length === 0) {
      io.err(`No resources found in ${namespace} namespace.\n`);
      return 0;
    }
    const following = values.follow === true && values.previous !== true;
    // Followed logs stream side by side (as kubectl's concurrent requests); the others print pod after pod.
    const streams: Promise<void>[] = [];
    const wanted = pods.reduce((n, p) => n + (values['all-containers'] === true ? p.spec.containers.length + p.spec.initContainers.length : 1), 0);
    if (following && wanted > maxRequests) {
      throw new GitjobsError(
        'Invalid',
        `error: you are attempting to follow ${wanted} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`,
      );
    }
    let containerFlag = (values.container as string | undefined) ?? positionals[1];
    for (const pod of pods) {
      const names = pod.spec.containers.map((c) => c.name);
      // As kubectl: -c may name an init container, and --all-containers lists them first.
      const initNames = pod.spec.initContainers.map((c) => c.name);
      let containers: string[];
      if (values['all-containers'] === true) containers = [...initNames, ...names];
      else if (containerFlag !== undefined) {
        if (!names.includes(containerFlag) && !initNames.includes(containerFlag)) {
          throw new GitjobsError('NotFound', `error: container ${containerFlag} is not valid for pod ${pod.name}`);
        }
        containers = [containerFlag];
      } else {
        if (names.length > 1) io.err(`Defaulted container "${names[0]}" out of: ${names.join(', ')}\n`);
        containers = [names[0]!];
      }
      for (const c of containers) {
        const status = [...pod.status.containerStatuses, ...pod.status.initContainerStatuses].find((s) => s.name === c);
        const restarts = status?.restartCount ?? 0;
        const attempt = values.previous === true ? restarts - 1 : restarts;
        if (attempt < 0) {
          throw new GitjobsError('NotFound', `Error from server (BadRequest): previous terminated container "${c}" in pod "${pod.name}" not found`);
        }
        const path = containerLogPath(stateDir, pod.namespace, pod.name, pod.uid, c, attempt);
        const prefix = values.prefix === true ? `[pod/${pod.name}/${c}] ` : '';
        const fallback = status?.state.running?.startedAt ?? status?.state.terminated?.startedAt ?? pod.creationTimestamp;
        if (following) {
          streams.push(follow(db, pod.uid, path, prefix, view, fallback, io));
        } else {
          const log = readWithRotated(path);
          io.out(withPrefix(render(log.text, path, view, fallback, 0, log.stamps), prefix));
        }
      }
      containerFlag = (values.container as string | undefined) ?? positionals[1];
    }
    await Promise.all(streams);
    return 0;
  } finally {
    db.close();
  }
}

/** `-l`: the live pods whose labels match, oldest first. */
function selectPods(db: Db, namespace: string, selector: string): Pod[] {
  const match = parseSelector(selector);
  return listPods(db, namespace)
    .filter((p) => !isPodGone(p) && match.matches(p.labels))
    .sort((a, b) => a.creationTimestamp - b.creationTimestamp || (a.name < b.name ? -1 : 1));
}

function resolvePods(db: Db, ref: string, namespace: string, io: Io): Pod[] {
  const slash = ref.indexOf('/');
  if (slash === -1) {
    return [getPodByName(db, namespace, ref) ?? raise(notFound('pods', ref))];
  }
  const resource = resolveResource(ref.slice(0, slash));
  const name = ref.slice(slash + 1);
  if (resource === 'pods') return [getPodByName(db, namespace, name) ?? raise(notFound('pods', name))];
  if (resource !== 'jobs') throw usageError(`cannot get logs of ${resource}`, 'logs');
  const job = getJobByName(db, namespace, name) ?? raise(notFound('jobs', name));
  const pods = listPodsOfRun(db, job.uid);
  if (pods.length === 0) throw new GitjobsError('NotFound', `error: timed out waiting for the condition: job/${name} has no pods yet`);
  if (pods.length > 1) io.err(`Found ${pods.length} pods, using pod/${pods[0]!.name}\n`);
  return [pods[0]!];
}

/** The pods of the Nth run of a Job, even if the Job has since been deleted. */
function podsOfRun(db: Db, ref: string, namespace: string, n: number, io: Io): Pod[] {
  const slash = ref.indexOf('/');
  if (slash === -1 || resolveResource(ref.slice(0, slash)) !== 'jobs') throw usageError('--run goes with job/NAME', 'logs');
  const name = ref.slice(slash + 1);
  const runs = listRuns(db, namespace, name);
  const run = runs[n - 1];
  if (run === undefined) {
    throw new GitjobsError('NotFound', `Error from server (NotFound): jobs.batch "${name}" has ${runs.length} run(s); there is no run ${n}`);
  }
  const pods = listPodsOfRun(db, run.jobUid);
  if (pods.length === 0) throw new GitjobsError('NotFound', `error: run ${n} of job/${name} created no pods`);
  if (pods.length > 1) io.err(`Found ${pods.length} pods, using pod/${pods[0]!.name}\n`);
  return [pods[0]!];
}

function withPrefix(text: string, prefix: string): string {
  if (prefix === '' || text === '') return text;
  return text
    .split('\n')
    .map((l, i, all) => (i === all.length - 1 && l === '' ? l : prefix + l))
    .join('\n');
}

function follow(db: Db, podUid: string, path: string, prefix: string, view: LogView, fallbackMs: number, io: Io): Promise<void> {
  return followLog({
    path,
    view,
    fallbackMs,
    ended: () => {
      const pod = getPod(db, podUid);
      return pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
    },
    write: (text) => io.out(withPrefix(text, prefix)),
  });
}

function raise(err: GitjobsError): never {
  throw err;
}
