import { parseCommand } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../main.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Make the running daemon read its source now (fetch, for a Git source).

Usage:
  gitjobs sync [--state DIR]

Returns when the new desired state is in the store, and prints the revision.
`;

export async function syncCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('sync', argv, { state: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'sync');
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), { op: 'sync' });
  io.out(`synced ${String(reply.source)} at revision ${String(reply.revision)}\n`);
  return 0;
}
