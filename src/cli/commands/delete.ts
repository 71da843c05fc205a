import { isPodGone } from '../../api/pods.js';
import { parseSelector } from '../../api/selector.js';
import { formatIssue, parseManifest } from '../../manifest/index.js';
import type { Db } from '../../store/db.js';
import { getJob } from '../../store/jobs.js';
import { getPodByName, listPods } from '../../store/pods.js';
import { parseCommandOrHelp, parseDuration, SCOPE_FLAGS } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { notFound, parseResourceArgs } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { readManifestArgs } from './manifest-files.js';

const HELP = `Delete Jobs or pods by file names, stdin, names, or label selector.

Usage:
  gitjobs delete (-f FILENAME | TYPE [NAME... | -l SELECTOR | --all] | TYPE/NAME...) [flags]
  gitjobs delete cronjob NAME... [--cascade=orphan]

Options:
  -f, --filename PATH        delete the Jobs defined in these files or folders (- for stdin)
  -l, --selector SELECTOR    delete the Jobs or pods whose labels match
      --all                  delete every Job or pod in the namespace
      --cascade=MODE         background (default), foreground or orphan (the pods are left running);
                             true and false are accepted for background and orphan
      --wait=true|false      wait until the objects are gone (default true)
      --grace-period N       seconds a deleted pod has to stop (default: the pod's terminationGracePeriodSeconds)
      --now                  the same as --grace-period=1
      --ignore-not-found     treat a name that does not exist as deleted
      --timeout DURATION     give up waiting after DURATION (default: wait until gone)
  -n, --namespace NS         namespace (default "default")
      --state DIR            state folder (default $GITJOBS_STATE or ./state)

Deleting a Job defined by the watched source stops it; the source does not start that same spec again.
`;

interface Reply {
  deleted: { name: string; uid: string }[];
  notFound: string[];
}

export async function deleteCommand(argv: string[], io: Io): Promise<number> {
  const { argv: rest, wait, cascade: rawCascade } = preprocess(argv);
  const parsed = parseCommandOrHelp('delete', rest, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R' },
    selector: { type: 'string', short: 'l' },
    all: { type: 'boolean' },
    cascade: { type: 'string' },
    'grace-period': { type: 'string' },
    now: { type: 'boolean' },
    force: { type: 'boolean' },
    'ignore-not-found': { type: 'boolean' },
    timeout: { type: 'string' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const cascade = parseCascade((values.cascade as string | undefined) ?? rawCascade);
  const namespace = (values.namespace as string | undefined) ?? 'default';
  const stateDir = stateDirFrom(values.state as string | undefined);
  const ignoreNotFound = values['ignore-not-found'] === true;
  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout as string, 'delete');
  const files = (values.filename as string[] | undefined) ?? [];
  const selector = values.selector as string | undefined;
  const all = values.all === true;

  let resource: 'jobs' | 'pods';
  let names: string[];
  let failed = false;
  if (files.length > 0) {
    if (positionals.length > 0) throw usageError('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well', 'delete');
    resource = 'jobs';
    names = [];
    const cronJobs: string[] = [];
    for (const file of await readManifestArgs(files)) {
      const parsed = parseManifest(file.text, file.name);
      for (const issue of parsed.issues.filter((i) => i.severity === 'error')) {
        io.err(formatIssue(issue) + '\n');
        failed = true;
      }
      names.push(...parsed.jobs.map((j) => j.name));
      cronJobs.push(...(parsed.cronJobs ?? []).map((c) => c.name));
    }
    if (cronJobs.length > 0) {
      const code = await deleteCronJobs(cronJobs, { stateDir, namespace, cascade, wait, timeoutMs, ignoreNotFound }, io);
      if (code !== 0) failed = true;
      if (names.length === 0) return failed ? 1 : 0;
    }
  } else {
    const args = parseResourceArgs(positionals, 'delete');
    if (args.resource === 'cronjobs') return deleteCronJobs(args.names, { stateDir, namespace, cascade, wait, timeoutMs, ignoreNotFound }, io);
    if (args.resource !== 'jobs' && args.resource !== 'pods') throw usageError(`deleting ${args.resource} is not supported; delete jobs, cronjobs or pods`, 'delete');
    resource = args.resource;
    names = args.names;
    const selecting = selector !== undefined || all;
    if (selecting && names.length > 0) throw usageError('name cannot be provided when a selector is specified', 'delete');
    if (!selecting && names.length === 0) {
      throw usageError(`resource(s) were provided, but no name was specified`, 'delete');
    }
  }

  let reply: Reply;
  if (resource === 'jobs') {
    const request = files.length === 0 && (selector !== undefined || all) ? { selector, all } : { names };
    reply = (await callDaemon(stateDir, { op: 'delete', namespace, cascade, ...request })) as unknown as Reply;
  } else {
    if (selector !== undefined || all) names = selectPods(stateDir, namespace, selector);
    const grace = values.now === true ? 1 : values.force === true && values['grace-period'] === undefined ? 0 : graceFrom(values['grace-period']);
    reply = (await callDaemon(stateDir, { op: 'delete-pod', namespace, names, gracePeriod: grace })) as unknown as Reply;
  }

  const kind = resource === 'jobs' ? 'job.batch' : 'pod';
  for (const d of reply.deleted) io.out(`${kind} "${d.name}" deleted\n`);
  for (const name of reply.notFound) {
    if (ignoreNotFound) continue;
    io.err(notFound(resource, name).message + '\n');
    failed = true;
  }
  if (reply.deleted.length === 0 && reply.notFound.length === 0 && !failed) {
    io.err(`No resources found\n`);
  }
  if (wait && reply.deleted.length > 0) {
    const gone = await waitGone(stateDir, resource, namespace, reply.deleted, timeoutMs);
    if (!gone) {
      io.err(`error: timed out waiting for the condition on ${resource}/${reply.deleted[0]!.name}\n`);
      return 1;
    }
  }
  return failed ? 1 : 0;
}

interface CronJobDelete {
  stateDir: string;
  namespace: string;
  cascade: string;
  wait: boolean;
  timeoutMs: number | undefined;
  ignoreNotFound: boolean;
}

/** `delete cronjob NAME...`: its Jobs go with it unless --cascade=orphan. */
async function deleteCronJobs(names: string[], o: CronJobDelete, io: Io): Promise<number> {
  if (names.length === 0) throw usageError('resource(s) were provided, but no name was specified', 'delete');
  const reply = (await callDaemon(o.stateDir, { op: 'delete-cronjob', namespace: o.namespace, cascade: o.cascade, names })) as unknown as Reply;
  for (const d of reply.deleted) io.out(`cronjob.batch "${d.name}" deleted\n`);
  let failed = false;
  for (const name of reply.notFound) {
    if (o.ignoreNotFound) continue;
    io.err(notFound('cronjobs', name).message + '\n');
    failed = true;
  }
  if (o.wait && reply.deleted.length > 0) {
    const { getCronJob } = await import('../../store/cronjobs.js');
    const deadline = o.timeoutMs === undefined || o.timeoutMs === 0 ? Infinity : Date.now() + o.timeoutMs;
    const db = openStateReadOnly(o.stateDir);
    try {
      while (!reply.deleted.every((d) => getCronJob(db, d.uid) === undefined)) {
        if (Date.now() > deadline) {
          io.err(`error: timed out waiting for the condition on cronjobs/${reply.deleted[0]!.name}\n`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      db.close();
    }
  }
  return failed ? 1 : 0;
}

/** kubectl takes `--cascade` and `--wait` bare or with a value; node's parser takes neither form of both. */
function preprocess(argv: string[]): { argv: string[]; wait: boolean; cascade: string } {
  let wait = true;
  let cascade = 'background';
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--wait' || a === '--wait=true') wait = true;
    else if (a === '--wait=false') wait = false;
    else if (a === '--cascade' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('-') || !CASCADE_WORDS.includes(argv[i + 1]!))) {
      cascade = 'background';
    } else out.push(a);
  }
  return { argv: out, wait, cascade };
}

const CASCADE_WORDS = ['background', 'foreground', 'orphan', 'true', 'false'];

export function parseCascade(value: string): 'background' | 'foreground' | 'orphan' {
  switch (value) {
    case 'background':
    case 'true':
      return 'background';
    case 'foreground':
      return 'foreground';
    case 'orphan':
    case 'false':
      return 'orphan';
    default:
      throw usageError(`invalid cascade value (${value}). Must be "background", "foreground", or "orphan"`, 'delete');
  }
}

function graceFrom(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw usageError(`invalid argument "${String(v)}" for "--grace-period" flag`, 'delete');
  // kubectl: a negative value means the pod's own grace period.
  return n < 0 ? undefined : n;
}

function selectPods(stateDir: string, namespace: string, selector: string | undefined): string[] {
  const match = selector === undefined ? undefined : parseSelector(selector);
  const db = openStateReadOnly(stateDir);
  try {
    return listPods(db, namespace)
      .filter((p) => !isPodGone(p) && (match === undefined || match.matches(p.labels)))
      .map((p) => p.name);
  } finally {
    db.close();
  }
}

/** Polls the read-only store until every deleted object is gone, as `kubectl delete --wait`. */
async function waitGone(
  stateDir: string,
  resource: 'jobs' | 'pods',
  namespace: string,
  objects: { name: string; uid: string }[],
  timeoutMs: number | undefined,
): Promise<boolean> {
  const deadline = timeoutMs === undefined || timeoutMs === 0 ? Infinity : Date.now() + timeoutMs;
  const db = openStateReadOnly(stateDir);
  try {
    for (;;) {
      if (objects.every((o) => isGone(db, resource, namespace, o))) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    db.close();
  }
}

function isGone(db: Db, resource: 'jobs' | 'pods', namespace: string, o: { name: string; uid: string }): boolean {
  if (resource === 'jobs') return getJob(db, o.uid) === undefined;
  const pod = getPodByName(db, namespace, o.name);
  return pod === undefined || pod.uid !== o.uid || isPodGone(pod);
}
