import { parse as parseYaml } from 'yaml';
import { GitjobsError } from '../../errors.js';
import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { parseResourceArgs, resolveResource } from '../resources.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Update fields of a Job with a merge patch.

Usage:
  gitjobs patch (job NAME | job/NAME) -p PATCH [flags]
  gitjobs patch (cronjob NAME | cronjob/NAME) -p PATCH [flags]

Options:
  -p, --patch PATCH    the patch, as JSON or YAML, e.g. '{"spec":{"suspend":true}}'
      --type TYPE      strategic (default) or merge (the same for a Job's fields), or json: a list of
                       RFC 6902 operations on the Job as get -o json shows it, e.g.
                       '[{"op":"replace","path":"/spec/parallelism","value":2}]'
  -n, --namespace NS   namespace (default "default")
      --state DIR      state folder (default $GITJOBS_STATE or ./state)

Only the fields Kubernetes lets you change on a live Job can be patched: parallelism, suspend,
activeDeadlineSeconds, ttlSecondsAfterFinished, backoffLimit, maxFailedIndexes, podReplacementPolicy,
and metadata labels and annotations. A Job defined by the watched source keeps the change until
its manifest changes that field. Of a CronJob: schedule, timeZone, suspend, concurrencyPolicy,
startingDeadlineSeconds, the history limits, and metadata labels and annotations.
`;

export async function patchCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('patch', argv, {
    patch: { type: 'string', short: 'p' },
    type: { type: 'string' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const type = (values.type as string | undefined) ?? 'strategic';
  if (type !== 'merge' && type !== 'strategic' && type !== 'json') throw usageError(`--type must be "json", "merge" or "strategic", not "${type}"`, 'patch');
  if (values.patch === undefined) throw usageError('must specify -p to patch', 'patch');
  let patch: unknown;
  try {
    patch = parseYaml(values.patch as string);
  } catch (err) {
    throw new GitjobsError('Usage', `error: unable to parse "${String(values.patch)}": ${(err as Error).message}`);
  }
  const target = positionals[0] ?? '';
  if (isResourceWord(target.split('/')[0]!) && resolveResource(target.split('/')[0]!) === 'cronjobs') {
    const { names: cronJobs } = parseResourceArgs(positionals, 'patch');
    if (cronJobs.length !== 1) throw usageError('patch needs exactly one CronJob: gitjobs patch cronjob NAME -p PATCH', 'patch');
    const reply = await callDaemon(stateDirFrom(values.state as string | undefined), {
      op: 'patch-cronjob',
      namespace: (values.namespace as string | undefined) ?? 'default',
      name: cronJobs[0],
      patch,
    });
    io.out(`cronjob.batch/${cronJobs[0]} patched${reply.changed === true ? '' : ' (no change)'}\n`);
    return 0;
  }
  const names = jobNames(positionals, 'patch');
  if (names.length !== 1) throw usageError('patch needs exactly one Job: gitjobs patch job NAME -p PATCH', 'patch');
  if (type === 'json') patch = await jsonPatchAsMerge(values, names[0]!, patch);
  const changed = await sendPatch(values, names[0]!, patch);
  io.out(`job.batch/${names[0]} patched${changed ? '' : ' (no change)'}\n`);
  return 0;
}

/** Sends one patch to the daemon; true when the Job changed. */
export async function sendPatch(values: Record<string, unknown>, name: string, patch: unknown): Promise<boolean> {
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), {
    op: 'patch',
    namespace: (values.namespace as string | undefined) ?? 'default',
    name,
    patch,
  });
  return reply.changed === true;
}

/** `job NAME...`, `job/NAME...`, or bare names (the only resource these verbs act on is a Job). */
export function jobNames(positionals: string[], command: string): string[] {
  const first = positionals[0];
  if (first !== undefined && !first.includes('/') && !isResourceWord(first)) return positionals;
  const { resource, names } = parseResourceArgs(positionals, command);
  if (resource !== 'jobs') throw usageError(`${command} acts on jobs, not ${resource}`, command);
  if (names.length === 0) throw usageError(`${command} needs a Job name: gitjobs ${command} job NAME`, command);
  return names;
}

function isResourceWord(word: string): boolean {
  try {
    resolveResource(word);
    return true;
  } catch {
    return false;
  }
}

/**
 * A JSON patch is applied here to the Job as `get -o json` shows it, and what
 * it changed goes to the daemon as a merge patch, under the same rules.
 */
async function jsonPatchAsMerge(values: Record<string, unknown>, name: string, ops: unknown): Promise<unknown> {
  const [{ applyJsonPatch, mergePatchBetween, JsonPatchError }, { getJobByName }, { getJobStatus }, { toJobObject }, { openStateReadOnly }, { notFound }] = await Promise.all([
    import('../../api/json-patch.js'),
    import('../../store/jobs.js'),
    import('../../store/status.js'),
    import('../print/objects.js'),
    import('../state.js'),
    import('../resources.js'),
  ]);
  const db = openStateReadOnly(stateDirFrom(values.state as string | undefined));
  try {
    const job = getJobByName(db, (values.namespace as string | undefined) ?? 'default', name);
    if (job === undefined) throw notFound('jobs', name);
    const live = JSON.parse(JSON.stringify(toJobObject(job, getJobStatus(db, job.uid)))) as unknown;
    try {
      return mergePatchBetween(live, applyJsonPatch(live, ops));
    } catch (err) {
      if (err instanceof JsonPatchError) throw new GitjobsError('Invalid', `The request is invalid: the server rejected our request due to an error in our request: ${err.message}`);
      throw err;
    }
  } finally {
    db.close();
  }
}
