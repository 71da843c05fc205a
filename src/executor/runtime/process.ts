import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chooseSupervisor, supervisorArgv, type Supervisor } from './supervisor.js';

export interface SpawnedContainer {
  pid: number;
  /** Kernel start time of the supervisor (clock ticks since boot): with the pid, its identity. */
  startTime: number | undefined;
  /**
   * Resolves when the supervisor ends, with its exit status: the workload's.
   * Undefined when the supervisor itself was killed, which tells nothing of the workload.
   */
  exited: Promise<number | undefined>;
}

/**
 * Starts the supervisor for one container run. Stdio goes to the log file, never
 * through a pipe to us, so the workload keeps running and logging if we die.
 */
export function spawnContainer(opts: {
  records: string;
  logPath: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** cgroup.procs files the supervisor joins before it starts the workload. */
  join?: readonly string[];
  /** Programs run before the workload (PID namespace, privilege drop, rlimits). */
  prefix?: readonly string[];
  /** The user the compiled supervisor switches the workload to. */
  drop?: { uid: number; gid: number };
  /**
   * Runs the supervisor itself as this user (no setpriv on the host): it then
   * waits until `joined` exists in its run folder, once the caller has moved it.
   */
  spawnAs?: { uid: number; gid: number };
  /** The supervisor to run (see installSupervisor); the package's own by default. */
  supervisor?: Supervisor;
}): SpawnedContainer {
  const fd = openSync(opts.logPath, 'a');
  try {
    const join = opts.spawnAs !== undefined ? 'wait' : opts.join !== undefined && opts.join.length > 0 ? opts.join.join(':') : '-';
    const { file, args } = supervisorArgv(opts.supervisor ?? chooseSupervisor(), opts.records, join, opts.drop, [...(opts.prefix ?? []), ...opts.argv]);
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env,
      cwd: opts.cwd,
      ...(opts.spawnAs ?? {}),
    });
    const exited = new Promise<number | undefined>((resolve) => {
      child.once('exit', (code) => resolve(code ?? undefined));
      child.once('error', () => resolve(undefined));
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error('spawn returned no pid');
    return { pid, startTime: procStartTime(pid), exited };
  } finally {
    closeSync(fd);
  }
}

/** Field 22 of /proc/PID/stat; undefined when the process is gone. */
export function procStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(rest[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** True if the process with this pid is the one we started (guards against pid reuse) and not a zombie. */
export function isSameProcessAlive(pid: number, startTime: number | undefined): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return false;
    return startTime === undefined || Number(rest[19]) === startTime;
  } catch {
    return false;
  }
}

/** The daemon's own process group (field 5 of /proc/self/stat), read once. */
let ownPgid: number | undefined;
export function ownProcessGroup(): number {
  if (ownPgid === undefined) {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    ownPgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  }
  return ownPgid;
}

/**
 * Whether a recorded pgid may be signalled. kill(-1) reaches every process we
 * may signal, kill(-0) our own group, and our own pgid is the daemon itself: a
 * corrupt or forged record must never turn into one of those.
 */
export function isSafeKillTarget(pgid: number): boolean {
  return Number.isSafeInteger(pgid) && pgid > 1 && pgid !== process.pid && pgid !== ownProcessGroup();
}

/** Signals a whole process group; false if it no longer exists or is not a safe target. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!isSafeKillTarget(pgid)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0 as unknown as NodeJS.Signals);
}

/**
 * Whether a recorded workload pid still names the workload we started: a
 * session leader (the supervisor runs it under setsid) that started no earlier
 * than its supervisor. Guards against signalling a process that reused the pid.
 */
export function isOurWorkload(pgid: number, supervisorStart: number | undefined): boolean {
  if (!isSafeKillTarget(pgid)) return false;
  try {
    const stat = readFileSync(`/proc/${pgid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    const sid = Number(f[3]);
    const start = Number(f[19]);
    return pgrp === pgid && sid === pgid && (supervisorStart === undefined || start >= supervisorStart);
  } catch {
    return false;
  }
}
