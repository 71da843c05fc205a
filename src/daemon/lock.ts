import { createHash } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { GitjobsError } from '../errors.js';

const RUNNING = 'another gitjobs daemon is already running on this state folder';

/**
 * One daemon per state folder. The control channel is a Unix socket file in the
 * state folder, but checking it and then binding it is a race (two daemons
 * started together could both find it stale, and the second would unlink the
 * first one's socket). So the folder is first claimed through an abstract Unix
 * socket named after its real path: binding it is atomic, exactly one of two
 * racing daemons gets it, and the kernel releases it when the holder dies, even
 * on SIGKILL, so a crashed daemon never leaves a stale lock.
 */
export async function acquireDaemonSocket(path: string, onConnection: (s: Socket) => void): Promise<Server> {
  const lock = await acquireFolderLockOnceFree(dirname(path), path);
  try {
    // A daemon of an older build holds only the socket file; it still counts.
    if (await isListening(path)) throw new GitjobsError('StateLocked', `${RUNNING} (${path} answers)`);
    try {
      unlinkSync(path);
    } catch {
      // nothing stale to remove
    }
    const server = createServer(onConnection);
    await listen(server, path, `another gitjobs daemon is starting on this state folder (${path})`);
    server.once('close', () => lock.close());
    const fd = (lock as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (typeof fd === 'number' && fd >= 0) lockFds.set(server, fd);
    return server;
  } catch (err) {
    lock.close();
    throw err;
  }
}

const lockFds = new WeakMap<Server, number>();

/**
 * The descriptor of the folder lock behind a daemon's socket. A helper process
 * that inherits it keeps the folder locked for as long as it lives, so no new
 * daemon starts while a dead one's helper is still at work.
 */
export function folderLockFd(server: Server): number | undefined {
  return lockFds.get(server);
}

/** The abstract socket name that stands for a state folder. */
export function folderLockName(dir: string): string {
  const real = realpathSync(dir);
  return `\0gitjobs-daemon-${createHash('sha256').update(real).digest('hex').slice(0, 40)}`;
}

/** How long a lock held by no answering daemon (one that just died, whose fork server finishes its last spawn) is waited for. */
const RELEASE_WAIT_MS = 5000;

/**
 * A lock held while no daemon answers on the socket belongs to a daemon that
 * is going or coming, or to the fork server of one that died, which lets go
 * within moments: wait for it, up to a bound, instead of refusing at once.
 */
async function acquireFolderLockOnceFree(dir: string, socketPath: string): Promise<Server> {
  const until = Date.now() + RELEASE_WAIT_MS;
  for (;;) {
    try {
      return await acquireFolderLock(dir);
    } catch (err) {
      if (!(err instanceof GitjobsError) || err.code !== 'StateLocked' || Date.now() >= until) throw err;
      if (await isListening(socketPath)) throw new GitjobsError('StateLocked', `${RUNNING} (${socketPath} answers)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function acquireFolderLock(dir: string): Promise<Server> {
  const lock = createServer((s) => s.destroy());
  await listen(lock, folderLockName(dir), `${RUNNING} (${dir})`);
  // The lock alone must not keep a stopping daemon alive.
  lock.unref();
  return lock;
}

function listen(server: Server, path: string, inUse: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new GitjobsError('StateLocked', inUse) : err);
    });
    server.listen(path, () => resolve());
  });
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
