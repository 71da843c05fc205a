import { unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { GitjobsError } from '../errors.js';

/**
 * One daemon per state folder. The lock is a listening Unix socket: the kernel
 * closes it when the process dies, even on SIGKILL, so a leftover socket file is
 * recognised as stale by a refused connection rather than trusted like a pidfile.
 * The same socket is the daemon's control channel.
 */
export async function acquireDaemonSocket(path: string, onConnection: (s: Socket) => void): Promise<Server> {
  if (await isListening(path)) {
    throw new GitjobsError('StateLocked', `another gitjobs daemon is already running on this state folder (${path} answers)`);
  }
  try {
    unlinkSync(path);
  } catch {
    // nothing stale to remove
  }
  const server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new GitjobsError('StateLocked', `another gitjobs daemon is starting on this state folder (${path})`)
          : err,
      );
    });
    server.listen(path, () => resolve());
  });
  return server;
}

export function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
