import { GitjobsError } from '../../errors.js';
import { parseCommandOrHelp } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { readManifestArgs } from './manifest-files.js';

const HELP = `Apply a configuration to a Job by file name or stdin; the Job is created if it does not exist yet.

Usage:
  gitjobs apply -f FILENAME [-f FILENAME...]

Options:
  -f, --filename PATH   a manifest file, a folder of manifests (read recursively), a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

Jobs applied here are ad-hoc: a Job defined by the watched source is changed through its manifest.
Only the fields Kubernetes lets you change on a live Job (parallelism, suspend, activeDeadlineSeconds,
ttlSecondsAfterFinished, backoffLimit, maxFailedIndexes, podReplacementPolicy) and labels and
annotations can be changed by applying again.
`;

type Line = { name: string; outcome: string } | { error: string };

export function applyCommand(argv: string[], io: Io): Promise<number> {
  return sendManifests('apply', HELP, argv, io);
}

/** Shared by `apply` and `create`: read the files here, let the daemon parse and store them. */
export async function sendManifests(op: 'apply' | 'create', help: string, argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp(op, argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R' },
    state: { type: 'string' },
  }, help, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, op);
  const paths = (values.filename as string[] | undefined) ?? [];
  if (paths.length === 0) throw usageError('must specify one of -f and -k', op);
  const files = await readManifestArgs(paths);
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), { op, files });
  // Each already reads `file:line:col: warning: …`.
  for (const w of (reply.warnings as string[] | undefined) ?? []) io.err(`${w}\n`);
  const lines = (reply.lines as Line[] | undefined) ?? [];
  // As kubectl: empty input, or a folder without manifests, is a mistake worth saying so.
  if (lines.length === 0) throw new GitjobsError('Invalid', `error: no objects passed to ${op}`);
  let failed = false;
  for (const line of lines) {
    if ('error' in line) {
      failed = true;
      io.err(line.error.endsWith('\n') ? line.error : line.error + '\n');
    } else {
      io.out(`job.batch/${line.name} ${line.outcome}\n`);
    }
  }
  return failed ? 1 : 0;
}
