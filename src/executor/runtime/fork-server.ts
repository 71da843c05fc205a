import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../util/logger.js';
import type { ForkServerConfig } from './fork-server-main.js';
import { spawnLineChild } from './line-child.js';
import type { Spawner, StartCallbacks, StartRequest, StartedRun } from './spawner.js';

const MAIN = fileURLToPath(new URL('./fork-server-main.js', import.meta.url));

/** Whether the fork server's program is there (it is not when running from TypeScript sources). */
export function forkServerAvailable(): boolean {
  return existsSync(MAIN);
}

type Outbound =
  | { t: 'stuck'; id?: undefined; podUid: string; dir: string }
  | { t: 'started'; id: number; run: StartedRun }
  | { t: 'failed'; id: number; message: string }
  | { t: 'exited'; id: number; code: number | null };

/**
 * Starts container runs through a small long-lived child process. Node forks
 * the whole daemon for each spawn, and the daemon's memory makes that the
 * largest cost of a pod start; the fork server is a fraction of its size.
 *
 * Crash safety: the fork server holds the daemon's state-folder lock (an
 * inherited descriptor), so a new daemon cannot start until a dead daemon's
 * fork server has finished the spawn it was in, and it never starts a request
 * it reads after its daemon died. If the fork server itself dies, the runs it
 * started are reported 'orphaned' and watched through their records; it is
 * started again on the next request.
 */
export class ForkServer implements Spawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, StartCallbacks>();
  private stopped = false;

  constructor(
    private readonly o: {
      config: ForkServerConfig;
      logger: Logger;
      /** A descriptor the fork server keeps open for as long as it lives (the state-folder lock). */
      holdFd?: number;
    },
  ) {}

  start(req: StartRequest, cb: StartCallbacks): void {
    if (this.stopped) {
      cb.failed('the daemon is stopping');
      return;
    }
    const child = this.ensureChild();
    const id = this.nextId++;
    this.calls.set(id, cb);
    child.stdin!.write(`${JSON.stringify({ t: 'start', id, req })}\n`);
  }

  removeCgroup(podUid: string): void {
    // Its rmdirs wait on the kernel's cgroup locks, contended while pods fork and exit: not on our loop.
    if (this.stopped) return;
    this.ensureChild().stdin!.write(`${JSON.stringify({ t: 'remove', podUid })}\n`);
  }

  stop(): void {
    this.stopped = true;
    // Closing its input ends it; runs it started keep running, as they do when the daemon stops.
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private ensureChild(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const child = spawnLineChild(process.execPath, [MAIN, JSON.stringify(this.o.config)], this.o.holdFd, (line) => this.onLine(line), (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    return child;
  }

  private onLine(line: string): void {
    let msg: Outbound;
    try {
      msg = JSON.parse(line) as Outbound;
    } catch {
      return;
    }
    if (msg.t === 'stuck') {
      this.o.logger.warn('could not remove a pod cgroup', { pod: msg.podUid, cgroup: msg.dir });
      return;
    }
    const cb = this.calls.get(msg.id);
    if (cb === undefined) return;
    if (msg.t === 'started') cb.started(msg.run);
    else if (msg.t === 'failed') {
      this.calls.delete(msg.id);
      cb.failed(msg.message);
    } else {
      this.calls.delete(msg.id);
      cb.exited(msg.code ?? undefined);
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const left = [...this.calls.values()];
    this.calls.clear();
    if (this.stopped) return;
    this.o.logger.warn('the fork server ended; runs it started are watched through their records', { code, signal, runs: left.length });
    for (const cb of left) cb.exited('orphaned');
  }
}
