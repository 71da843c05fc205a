import type { ContainerStateTerminated, Pod, PodStatus } from '../api/types.js';
import { statusOf, terminationReason, type FinishOptions } from './pod/status.js';
import { readRun } from './runtime/run-records.js';

// What the kubelet keeps in memory about the pods it runs, and how a run's
// records turn into a container's end.

/** How long the leftovers of an ended container may resist SIGKILL before its end is recorded anyway. */
export const DRAIN_LIMIT_MS = 10_000;

export interface ContainerRun {
  attempt: number;
  /** The prefix of the run's record files (logs/paths.ts, runRecords). */
  records: string;
  pid: number;
  startTime: number | undefined;
  signalled: boolean;
  poll?: NodeJS.Timeout;
  /** The supervisor's own exit status, when it was our child. */
  exitCode?: number;
  /** The run's cgroup leaf (`<container>.<attempt>` in the pod's cgroup), when pods get cgroups. */
  leaf?: string;
  /** When killing the processes it left behind began. */
  drainingSince?: number;
  /** Why the run never started (its spawn failed). */
  startError?: string;
  /** Handed to the spawner, which has not yet said that it runs. */
  starting?: boolean;
}

export interface PodRuntime {
  /** True once this daemon has started or re-attached to the pod. */
  started: boolean;
  runs: Map<string, ContainerRun>;
  /** Back-offs being waited out, before a restart or a config retry. */
  restartTimers: Map<string, NodeJS.Timeout>;
  /** Back-offs that have passed: the container starts next as this attempt. */
  due: Map<string, number>;
  killTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  /** Settles the pod again: a timer's turn came. */
  wake: () => void;
  /** Set when the pod must end although nobody deleted it: its deadline passed, or an init container failed for good. */
  ending?: FinishOptions;
}

export function cancelRestarts(rt: PodRuntime): void {
  for (const t of rt.restartTimers.values()) clearTimeout(t);
  rt.restartTimers.clear();
  rt.due.clear();
}

/** The kubelet's pods in memory, each with the timers it waits on. */
export class PodRuntimes {
  private readonly pods = new Map<string, PodRuntime>();

  constructor(private readonly wake: (uid: string) => void) {}

  get(uid: string): PodRuntime | undefined {
    return this.pods.get(uid);
  }

  ensure(uid: string): PodRuntime {
    let rt = this.pods.get(uid);
    if (rt === undefined) this.pods.set(uid, (rt = { started: false, runs: new Map(), restartTimers: new Map(), due: new Map(), wake: () => this.wake(uid) }));
    return rt;
  }

  has(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** Forgets the pod, with every timer it had. */
  drop(uid: string): void {
    const rt = this.pods.get(uid);
    if (rt !== undefined) clearTimers(rt);
    this.pods.delete(uid);
  }

  /** Forgets every pod; `each` sees them first. */
  dropAll(each: (uid: string, rt: PodRuntime) => void): void {
    for (const [uid, rt] of this.pods) {
      clearTimers(rt);
      each(uid, rt);
    }
    this.pods.clear();
  }
}

function clearTimers(rt: PodRuntime): void {
  cancelRestarts(rt);
  if (rt.killTimer) clearTimeout(rt.killTimer);
  if (rt.deadlineTimer) clearTimeout(rt.deadlineTimer);
  for (const run of rt.runs.values()) if (run.poll) clearInterval(run.poll);
}

/** The container waits `delayMs`, then is due as `attempt` and the pod woken. */
export function waitBackOff(rt: PodRuntime, name: string, delayMs: number, attempt: number): void {
  const timer = setTimeout(() => {
    rt.restartTimers.delete(name);
    rt.due.set(name, attempt);
    rt.wake();
  }, delayMs);
  timer.unref();
  rt.restartTimers.set(name, timer);
}

/** A container's end or failed start as the lifecycle decided it: a run again (as `attempt`) after its back-off, or the pod's end. */
export function applyOutcome(rt: PodRuntime, name: string, r: { status: PodStatus; restartAfterMs?: number; ending?: FinishOptions }, attempt?: number): PodStatus {
  if (r.ending !== undefined) rt.ending = r.ending;
  if (r.restartAfterMs !== undefined) waitBackOff(rt, name, r.restartAfterMs, attempt ?? (statusOf(r.status, name)?.restartCount ?? 0) + 1);
  return r.status;
}

/** One deadline timer at a time; the pod is woken when it passes (and the plan asks again if that was early). */
export function waitDeadline(rt: PodRuntime, inMs: number): void {
  if (rt.deadlineTimer !== undefined) return;
  rt.deadlineTimer = setTimeout(() => {
    delete rt.deadlineTimer;
    rt.wake();
  }, Math.max(0, inMs));
  rt.deadlineTimer.unref();
}

/** What the pure lifecycle is told of the pod's runs. */
export function runsOf(rt: PodRuntime): { running: ReadonlySet<string>; backingOff: ReadonlySet<string>; due: ReadonlyMap<string, number> } {
  return { running: new Set(rt.runs.keys()), backingOff: new Set(rt.restartTimers.keys()), due: rt.due };
}

/** Containers of the pod are being started: its status is written once they run (PodRows.put). */
export function starting(rt: PodRuntime): boolean {
  for (const r of rt.runs.values()) if (r.starting === true) return true;
  return false;
}

/** `oomKilled`: the run's memory cgroup saw the OOM killer, which Kubernetes reports as the reason. */
export function readTermination(run: ContainerRun, pod: Pod, name: string, now: number, oomKilled = false): ContainerStateTerminated {
  if (run.startError !== undefined) return { exitCode: 128, reason: 'StartError', message: run.startError, startedAt: now, finishedAt: now };
  const cs = statusOf(pod.status, name);
  const startedAt = cs?.state.running?.startedAt;
  const rec = readRun(run.records);
  const code = rec.exitCode ?? run.exitCode;
  if (code !== undefined) {
    // Without an exit record (it could not be written) the supervisor, our child, told us, just now.
    const finishedAt = rec.exitAt ?? now;
    const t: ContainerStateTerminated = { exitCode: code, reason: oomKilled && code !== 0 ? 'OOMKilled' : terminationReason(code), finishedAt };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  }
  // No exit status: the supervisor itself was killed, so nobody saw the end (unless the OOM killer did it).
  if (oomKilled) {
    const t: ContainerStateTerminated = { exitCode: 137, reason: 'OOMKilled', finishedAt: now };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  }
  const t: ContainerStateTerminated = {
    exitCode: 137,
    reason: 'Lost',
    message: 'the container supervisor ended without recording an exit status',
    finishedAt: now,
  };
  if (startedAt !== undefined) t.startedAt = startedAt;
  return t;
}
