import { parseSelector } from '../../api/selector.js';
import type { ConditionStatus, Job, JobStatus, Pod } from '../../api/types.js';
import { STATE_DB_FILE, type Db } from '../../store/db.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getJobByName, listJobs } from '../../store/jobs.js';
import { getPodByName, listPods } from '../../store/pods.js';
import { getJobStatus } from '../../store/status.js';
import { parseCommandOrHelp, parseDuration, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import { notFound, parseResourceArgs, type Resource } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { GitjobsError } from '../../errors.js';
import { relaxedJsonPath } from '../print/custom-columns.js';
import { findJsonPathResults, parseJsonPath } from '../print/jsonpath.js';
import type { Template } from '../print/jsonpath-parse.js';
import { toJobObject, toPodObject } from '../print/objects.js';

const HELP = `Wait for a condition on Jobs or pods.

Usage:
  gitjobs wait (TYPE/NAME... | TYPE NAME... | TYPE -l SELECTOR) --for=CONDITION [--timeout=30s]

Conditions:
  --for=condition=Complete       the Job's condition (case-insensitive; Failed, Suspended, a pod's Ready...)
  --for=condition=Suspended=false  a condition with the given status
  --for=create                   the object exists (also before the daemon has made its state folder)
  --for=delete                   the object is gone
  --for=jsonpath='{.status.succeeded}'=3  a field has the value (without =VALUE: the field exists)
  --for=finished                 the Job is Complete (exit 0) or Failed (exit 1)

Options:
  -l, --selector SELECTOR   wait on every object whose labels match
      --timeout DURATION    give up after DURATION (default 30s); exit 1
  -n, --namespace NS        namespace (default "default")
      --state DIR           state folder (default $GITJOBS_STATE or ./state)
`;

const POLL_MS = 100;

export type WaitFor =
  | { kind: 'condition'; type: string; status: string }
  | { kind: 'delete' }
  | { kind: 'create' }
  | { kind: 'finished' }
  | { kind: 'jsonpath'; template: Template; expression: string; value: string | undefined };

export function parseWaitFor(text: string): WaitFor {
  if (text === 'delete') return { kind: 'delete' };
  if (text === 'create') return { kind: 'create' };
  if (text === 'finished') return { kind: 'finished' };
  if (text.startsWith('jsonpath=')) return parseJsonPathFor(text.slice('jsonpath='.length));
  const m = /^condition=([^=]+)(?:=(.*))?$/.exec(text);
  if (m !== null) return { kind: 'condition', type: m[1]!, status: m[2] ?? 'True' };
  throw usageError(`unrecognized condition: "${text}"`, 'wait');
}

/** kubectl's `jsonpath='{.a.b}'=value`: the shell may leave the quotes in, and the braces are optional. */
function parseJsonPathFor(text: string): WaitFor {
  const unquoted = text.replace(/^'([^']*)'/, '$1').replace(/^"([^"]*)"/, '$1');
  const close = unquoted.startsWith('{') ? unquoted.indexOf('}') + 1 : 0;
  const eq = unquoted.indexOf('=', close);
  const expression = eq === -1 ? unquoted : unquoted.slice(0, eq);
  const value = eq === -1 ? undefined : unquoted.slice(eq + 1).replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  if (expression === '' || expression === '{}') throw usageError(`jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3`, 'wait');
  return { kind: 'jsonpath', template: parseJsonPath(relaxedJsonPath(expression)), expression, value };
}

/** What is known about one waited-on object at one moment; undefined while it does not exist. */
export interface Observed {
  conditions: { type: string; status: ConditionStatus | string; reason?: string }[];
  /** The object as `get -o json` prints it, for jsonpath conditions. */
  object?: unknown;
}

export type Verdict = { done: false } | { done: true; exitCode: 0 | 1; text: string };

/** Pure: does this state satisfy the wait? `ref` is how the object is printed (`job.batch/pi`). */
export function judge(forSpec: WaitFor, ref: string, observed: Observed | undefined): Verdict {
  switch (forSpec.kind) {
    case 'delete':
      return observed === undefined ? { done: true, exitCode: 0, text: `${ref} condition met` } : { done: false };
    case 'create':
      return observed !== undefined ? { done: true, exitCode: 0, text: `${ref} condition met` } : { done: false };
    case 'condition': {
      const c = observed?.conditions.find((x) => x.type.toLowerCase() === forSpec.type.toLowerCase());
      const met = c !== undefined && c.status.toLowerCase() === forSpec.status.toLowerCase();
      return met ? { done: true, exitCode: 0, text: `${ref} condition met` } : { done: false };
    }
    case 'jsonpath': {
      if (observed === undefined) return { done: false };
      const found = findJsonPathResults(forSpec.template, observed.object, { allowMissingKeys: true }).flat();
      if (found.length === 0) return { done: false };
      // As kubectl, a value is compared as printed: 3 matches "3", true matches "true".
      const met = forSpec.value === undefined || found.some((v) => v !== null && typeof v !== 'object' && String(v) === forSpec.value);
      return met ? { done: true, exitCode: 0, text: `${ref} condition met` } : { done: false };
    }
    case 'finished': {
      const c = observed?.conditions.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
      if (c === undefined) return { done: false };
      // A failure says why; success has only one way to happen worth naming.
      const why = c.type === 'Failed' && c.reason !== undefined && c.reason !== '' ? ` (${c.reason})` : '';
      return { done: true, exitCode: c.type === 'Complete' ? 0 : 1, text: `${ref} finished: ${c.type}${why}` };
    }
  }
}

export async function waitCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('wait', argv, {
    for: { type: 'string' },
    timeout: { type: 'string' },
    selector: { type: 'string', short: 'l' },
    all: { type: 'boolean' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (values.for === undefined) throw usageError('--for must be specified: --for=condition=Complete, --for=delete or --for=finished', 'wait');
  const forSpec = parseWaitFor(values.for as string);
  const timeoutMs = parseDuration((values.timeout as string | undefined) ?? '30s', 'wait');
  const namespace = (values.namespace as string | undefined) ?? 'default';
  const { resource, names: given } = parseResourceArgs(positionals, 'wait');
  if (resource !== 'jobs' && resource !== 'pods') throw usageError(`wait supports jobs and pods, not ${resource}`, 'wait');
  if (forSpec.kind === 'finished' && resource !== 'jobs') throw usageError('--for=finished applies to jobs', 'wait');

  const stateDir = stateDirFrom(values.state as string | undefined);
  if (forSpec.kind === 'create') {
    if (values.selector !== undefined || values.all === true || given.length === 0) throw usageError('--for=create takes TYPE/NAME', 'wait');
    return waitForCreate(stateDir, resource, namespace, given, timeoutMs, io);
  }
  const db = openStateReadOnly(stateDir);
  try {
    const selector = values.selector as string | undefined;
    const names = selector !== undefined || values.all === true ? select(db, resource, namespace, selector) : given;
    if (names.length === 0) throw new GitjobsError('NotFound', 'error: no matching resources found');
    const prefix = resource === 'jobs' ? 'job.batch' : 'pod';
    // Each object must exist when the wait starts (except when waiting for it to go), as in kubectl.
    const uids = new Map<string, string>();
    for (const name of names) {
      const uid = uidOf(db, resource, namespace, name);
      if (uid === undefined && forSpec.kind !== 'delete') throw notFound(resource, name);
      if (uid !== undefined) uids.set(name, uid);
    }
    let exitCode = 0;
    for (const name of names) {
      const ref = `${prefix}/${name}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // A deletion is of the object seen at the start; a condition is of whatever has the name now,
        // as kubectl's watch by name: a Job replaced by a changed manifest is followed to its successor.
        const verdict = judge(forSpec, ref, observe(db, resource, namespace, name, forSpec.kind === 'delete' ? uids.get(name) : undefined));
        if (verdict.done) {
          io.out(verdict.text + '\n');
          exitCode = Math.max(exitCode, verdict.exitCode);
          break;
        }
        if (Date.now() >= deadline) {
          io.err(`error: timed out waiting for the condition on ${resource}/${name}\n`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    return exitCode;
  } finally {
    db.close();
  }
}

function select(db: Db, resource: Resource, namespace: string, selector: string | undefined): string[] {
  const match = selector === undefined ? undefined : parseSelector(selector);
  const items: { name: string; labels: Record<string, string> }[] = resource === 'jobs' ? listJobs(db, namespace) : listPods(db, namespace);
  return items.filter((i) => match === undefined || match.matches(i.labels)).map((i) => i.name);
}

function uidOf(db: Db, resource: Resource, namespace: string, name: string): string | undefined {
  return resource === 'jobs' ? getJobByName(db, namespace, name)?.uid : getPodByName(db, namespace, name)?.uid;
}

/** The object's conditions now; undefined once it is gone (or replaced by another of the same name). */
function observe(db: Db, resource: Resource, namespace: string, name: string, uid: string | undefined): Observed | undefined {
  if (resource === 'jobs') {
    const job: Job | undefined = getJobByName(db, namespace, name);
    if (job === undefined || (uid !== undefined && job.uid !== uid)) return undefined;
    const status: JobStatus | undefined = getJobStatus(db, job.uid);
    return { conditions: status?.conditions ?? [], object: toJobObject(job, status) };
  }
  const pod: Pod | undefined = getPodByName(db, namespace, name);
  if (pod === undefined || (uid !== undefined && pod.uid !== uid)) return undefined;
  return { conditions: pod.status.conditions, object: toPodObject(pod) };
}

/**
 * `--for=create`: polls until each named object exists. A daemon just started
 * may not have made its state database yet: that is waited for too, so a
 * script can start a daemon and wait for its first Job in two lines.
 */
async function waitForCreate(stateDir: string, resource: Resource, namespace: string, names: string[], timeoutMs: number, io: Io): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const prefix = resource === 'jobs' ? 'job.batch' : 'pod';
  let db: Db | undefined;
  try {
    for (const name of names) {
      for (;;) {
        let exists = false;
        try {
          if (db === undefined && existsSync(join(stateDir, STATE_DB_FILE))) db = openStateReadOnly(stateDir);
          exists = db !== undefined && uidOf(db, resource, namespace, name) !== undefined;
        } catch {
          // A database the daemon is still creating or migrating: look again.
          db?.close();
          db = undefined;
        }
        if (exists) {
          io.out(`${prefix}/${name} condition met\n`);
          break;
        }
        if (Date.now() >= deadline) {
          io.err(`error: timed out waiting for the condition on ${resource}/${name}\n`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    return 0;
  } finally {
    db?.close();
  }
}
