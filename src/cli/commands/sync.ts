import { formatIssue } from '../../manifest/issues.js';
import { parseCommandOrHelp } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Make the running daemon read its source now (fetch, for a Git source).

Usage:
  gitjobs sync [--state DIR]

Returns when the new desired state is in the store, and prints the revision.
Manifest problems of that revision are printed as file:line:col: field: message; any error
exits 1 (the valid manifests are applied all the same).
`;

interface Issue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
  severity: 'error' | 'warning';
}

export async function syncCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('sync', argv, { state: { type: 'string' } }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'sync');
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), { op: 'sync' });
  io.out(`synced ${String(reply.source)} at revision ${String(reply.revision)}\n`);
  const issues = (reply.issues as Issue[] | undefined) ?? [];
  for (const i of issues) {
    io.err(`${formatIssue(i)}\n`);
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (errors === 0) return 0;
  io.err(`error: revision ${String(reply.revision)} has ${errors} manifest error(s); the other Jobs were applied\n`);
  return 1;
}
