import { GitjobsError } from '../../errors.js';
import { parseCommandOrHelp } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import type { Line } from './apply-line.js';
import { readManifestArgs, type ManifestFile } from './manifest-files.js';

const HELP = `Apply a configuration to a Job by file name or stdin; the Job is created if it does not exist yet.

Usage:
  gitjobs apply -f FILENAME [-f FILENAME...] [--dry-run=none|client|server]

Options:
  -f, --filename PATH   a manifest file, a folder of manifests (read recursively), a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --dry-run MODE    client: check the manifests here; server: the daemon checks and applies them,
                        then keeps nothing; none (default): apply
  -o, --output FORMAT   with --dry-run: name, json or yaml of what would be stored
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

Jobs applied here are ad-hoc: a Job defined by the watched source is changed through its manifest.
Only the fields Kubernetes lets you change on a live Job (parallelism, suspend, activeDeadlineSeconds,
ttlSecondsAfterFinished, backoffLimit, maxFailedIndexes, podReplacementPolicy) and labels and
annotations can be changed by applying again.
`;

export type DryRun = 'none' | 'client' | 'server';

export function applyCommand(argv: string[], io: Io): Promise<number> {
  return sendManifests('apply', HELP, argv, io);
}

export const MANIFEST_FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
  state: { type: 'string' },
} as const;

/** Shared by `apply` and `create`: read the files here, let the daemon parse and store them. */
export async function sendManifests(op: 'apply' | 'create', help: string, argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp(op, argv, MANIFEST_FLAGS, help, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, op);
  const paths = (values.filename as string[] | undefined) ?? [];
  if (paths.length === 0) throw usageError('must specify one of -f and -k', op);
  const files = await readManifestArgs(paths);
  return sendFiles(op, files, values, io);
}

export function parseDryRun(value: unknown, op: string): DryRun {
  if (value === undefined) return 'none';
  if (value === 'none' || value === 'client' || value === 'server') return value;
  throw usageError(`Invalid dry-run value (${String(value)}). Must be "none", "server", or "client".`, op);
}

/** Sends read manifests (or, for a client dry run, checks them here) and prints kubectl's lines. */
export async function sendFiles(op: 'apply' | 'create', files: ManifestFile[], values: Record<string, unknown>, io: Io): Promise<number> {
  const dryRun = parseDryRun(values['dry-run'], op);
  const output = values.output as string | undefined;
  if (output !== undefined && !['name', 'json', 'yaml'].includes(output)) throw usageError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,yaml`, op);
  if (output !== undefined && output !== 'name' && dryRun === 'none') throw usageError('-o json|yaml goes with --dry-run', op);
  const stateDir = stateDirFrom(values.state as string | undefined);
  let lines: Line[];
  if (dryRun === 'client') {
    lines = await (await import('./apply-client.js')).checkLocally(op, files, stateDir, io);
  } else {
    const reply = await callDaemon(stateDir, { op: dryRun === 'server' ? `${op}-dry-run` : op, files });
    // Each already reads `file:line:col: warning: …`.
    for (const w of (reply.warnings as string[] | undefined) ?? []) io.err(`${w}\n`);
    lines = (reply.lines as Line[] | undefined) ?? [];
  }
  // As kubectl: empty input, or a folder without manifests, is a mistake worth saying so.
  if (lines.length === 0) throw new GitjobsError('Invalid', `error: no objects passed to ${op}`);
  const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
  let failed = false;
  const objects: (() => Promise<unknown>)[] = [];
  for (const line of lines) {
    if ('error' in line) {
      failed = true;
      io.err(line.error.endsWith('\n') ? line.error : line.error + '\n');
    } else if (output === 'name') {
      io.out(`job.batch/${line.name}\n`);
    } else if (output !== undefined && (line.job !== undefined || line.manifest !== undefined)) {
      const { job, manifest } = line;
      objects.push(async () => (job === undefined ? manifest : (await import('../print/objects.js')).toJobObject(job, undefined)));
    } else {
      io.out(`job.batch/${line.name} ${line.outcome}${suffix}\n`);
    }
  }
  if (objects.length > 0) {
    const { toList } = await import('../print/objects.js');
    const { formatJson, formatYaml } = await import('../print/format.js');
    const objs = await Promise.all(objects.map((o) => o()));
    const data = objs.length === 1 ? objs[0]! : toList(objs as Record<string, unknown>[]);
    io.out(output === 'json' ? formatJson(data) : formatYaml(data));
  }
  return failed ? 1 : 0;
}
