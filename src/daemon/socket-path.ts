import { join } from 'node:path';

// The control socket's place in the state folder: the daemon listens there and
// the CLI connects there, so neither imports the other for it.

export const DAEMON_SOCKET = 'daemon.sock';

export function daemonSocketPath(stateDir: string): string {
  return join(stateDir, DAEMON_SOCKET);
}
