import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../util/logger.js';
import { removeCgroupWhenEmpty, type PodCgroups } from '../containment/pod-cgroups.js';
import { spawnLineChild } from './line-child.js';
import type { Spawner, StartCallbacks, StartRequest, StartedRun } from './spawner.js';

/**
 * Starts container runs through the compiled launcher (`pod-supervisor
 * --serve`, pod-launcher.c). Where the Node fork server forks a ~50 MB
 * process and execs the supervisor for every start, the launcher forks a
 * process of a few hundred kB that becomes the supervisor without an exec,
 * and makes the run's log folder, log file and cgroup leaf on the way.
 *
 * Crash safety is the fork server's: the launcher holds the state-folder lock
 * (an inherited descriptor) for as long as it lives, writes each run's
 * supervisor record before it reads the next request, and never starts a
 * request it reads after its daemon died. If it dies, the runs it started are
 * reported 'orphaned' and watched through their records; the next request
 * starts a new one.
 */
export class Launcher implements Spawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, StartCallbacks>();
  /** Pods whose cgroups the launcher found busy: removing them is ours (removeCgroupWhenEmpty). */
  private readonly removals = new Map<string, (dir: string) => void>();
  private stopped = false;

  constructor(
    private readonly o: {
      /** The compiled supervisor (this daemon's installed copy). */
      program: string;
      cgroups: PodCgroups | undefined;
      logger: Logger;
      /** A descriptor the launcher keeps open for as long as it lives (the state-folder lock). */
      holdFd?: number;
    },
  ) {}

  start(req: StartRequest, cb: StartCallbacks): void {
    if (this.stopped) {
      queueMicrotask(() => cb.failed('the daemon is stopping'));
      return;
    }
    const id = this.nextId;
    let frame: Buffer;
    try {
      frame = startFrame(id, req, this.o.cgroups);
    } catch (err) {
      const message = (err as Error).message;
      queueMicrotask(() => cb.failed(message));
      return;
    }
    this.nextId++;
    this.calls.set(id, cb);
    this.ensureChild().stdin!.write(frame);
  }

  removeCgroup(podUid: string, giveUp: (dir: string) => void): void {
    // The rmdirs wait on the kernel's cgroup locks, contended while pods fork and exit: not on our loop.
    if (this.stopped || this.o.cgroups === undefined) return;
    this.removals.set(podUid, giveUp);
    this.ensureChild().stdin!.write(frame(['R', podUid, ...counted(this.o.cgroups.podDirs(podUid))]));
  }

  stop(): void {
    this.stopped = true;
    // Closing its input ends it; runs it started keep running, as they do when the daemon stops.
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private ensureChild(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const child = spawnLineChild(this.o.program, ['--serve'], this.o.holdFd, (line) => this.onReply(line), (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    return child;
  }

  private onReply(line: string): void {
    const [kind, key = ''] = line.split(' ', 2);
    if (kind === 'B') {
      const giveUp = this.removals.get(key);
      this.removals.delete(key);
      // Something still runs there: killing it (cgroup.kill, or the freezer) and retrying is the daemon's.
      if (giveUp !== undefined && this.o.cgroups !== undefined) removeCgroupWhenEmpty(this.o.cgroups, key, giveUp);
      return;
    }
    const id = Number(key);
    const cb = this.calls.get(id);
    if (cb === undefined) return;
    const reply = parseReply(line);
    if (reply === undefined) return;
    if (reply.t === 'started') {
      cb.started(reply.run);
      return;
    }
    this.calls.delete(id);
    if (reply.t === 'failed') cb.failed(reply.message);
    else cb.exited(reply.code);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const left = [...this.calls.values()];
    this.calls.clear();
    this.removals.clear();
    if (this.stopped) return;
    this.o.logger.warn('the launcher ended; runs it started are watched through their records', { code, signal, runs: left.length });
    for (const cb of left) cb.exited('orphaned');
  }
}

type Reply = { t: 'started'; run: StartedRun } | { t: 'failed'; message: string } | { t: 'exited'; code: number | undefined };

/** One answer line of the launcher (see pod-launcher.c); undefined when it is not one. */
export function parseReply(line: string): Reply | undefined {
  const f = line.split(' ');
  if (f[0] === 'F') return { t: 'failed', message: f.slice(2).join(' ') };
  if (f[0] === 'X') return { t: 'exited', code: f[2] === '-' || f[2] === undefined ? undefined : Number(f[2]) };
  if (f[0] !== 'S' || f.length < 6) return undefined;
  const run: StartedRun = {
    pid: Number(f[2]),
    startTime: f[3] === '-' ? undefined : Number(f[3]),
    inCgroup: f[4] === '1',
    failedLimits: f[5] === '-' ? [] : f[5]!.split(','),
  };
  const cgroupError = f.slice(6).join(' ');
  if (cgroupError !== '') run.cgroupError = cgroupError;
  return run.pid > 1 ? { t: 'started', run } : undefined;
}

/** The start request's frame: the launcher's whole share of the start, cgroup plan included. */
export function startFrame(id: number, req: StartRequest, cgroups: PodCgroups | undefined): Buffer {
  // Not ours to do: a supervisor that runs as the pod's user must be moved into its cgroup by someone else.
  if (req.spawnAs !== undefined) throw new Error('the launcher cannot start a supervisor as another user');
  const plan = req.cgroup !== undefined && cgroups !== undefined ? cgroups.planRun(req.cgroup.podUid, req.cgroup.leaf, req.cgroup.limits) : { mkdirs: [], writes: [], procs: [] };
  const writes = plan.writes.flatMap((w) => [w.required ? 'w' : 'o', w.limit ?? '', w.path, w.value]);
  const env = Object.entries(req.env).map(([k, v]) => {
    // execve would read the name as ending at the first '='.
    if (k === '' || k.includes('=')) throw new Error(`invalid environment variable name ${JSON.stringify(k)}`);
    return `${k}=${v}`;
  });
  return frame([
    'S',
    String(id),
    req.records,
    req.logDir,
    req.logPath,
    req.cwd,
    req.drop === undefined ? '-' : `${req.drop.uid}:${req.drop.gid}`,
    req.podUid === undefined ? '' : String(req.podUid),
    ...counted(plan.mkdirs),
    ...counted(writes),
    ...counted(plan.procs),
    ...counted([...req.prefix, ...req.argv]),
    ...counted(env),
  ]);
}

function counted(fields: readonly string[]): string[] {
  return [String(fields.length), ...fields];
}

/** `<length>\n` and the NUL-ended fields. A NUL inside a field would shift every field after it: refused, as spawn refuses it. */
export function frame(fields: readonly string[]): Buffer {
  for (const f of fields) if (f.includes('\0')) throw new Error(`a NUL byte in ${JSON.stringify(f.replaceAll('\0', '\\0'))}`);
  const body = Buffer.from(`${fields.join('\0')}\0`, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}
