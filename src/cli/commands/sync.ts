import { parseCommandOrHelp } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Make the running daemon read its source now (fetch, for a Git source).

Usage:
  gitjobs sync [--state DIR]

Returns when the new desired state is in the store, and prints the revision.
`;

export async function syncCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('sync', argv, { state: { type: 'string' } }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'sync');
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), { op: 'sync' });
  io.out(`synced ${String(reply.source)} at revision ${String(reply.revision)}\n`);
  return 0;
}
