import type { ContainerStateTerminated, Pod, PodStatus } from '../../api/types.js';
import { isTerminalPhase } from '../../api/pods.js';
import {
  containerStarted,
  containerTerminated,
  containerWaitingToRestart,
  initialPodStatus,
  podFinished,
  podInitialized,
  DEADLINE_EXCEEDED,
  statusOf,
  type FinishOptions,
} from './status.js';
import { exitOutcome } from './restart-policy.js';

// A pod's lifecycle on the node, pure as src/reconcile/ is: what the kubelet
// has (the pod's row, which containers run or wait on a back-off, why the pod
// must end) goes in; what to do next comes out. No I/O, no clock reads.
//
// The states, as the node runs a pod once admitted:
//
//   Initializing ── every regular init container succeeded ──▶ Running
//     regular init containers one after the other; a sidecar (an init container
//     with restartPolicy Always) is started in its turn and left running
//   Running ── every main container ended, none will restart ──▶ StoppingSidecars
//   StoppingSidecars ── nothing runs ──▶ Finished (the main containers decide the phase)
//   any ── deleted / activeDeadlineSeconds passed / an init container failed
//          under Never ──▶ Ending: SIGTERM to every run, SIGKILL after the grace
//          period, nothing starts or restarts
//   Ending ── nothing runs ──▶ Finished
//
// A container that fails restarts in place (OnFailure; a sidecar whatever its
// exit) after its back-off: the applier holds that wait as a timer and hands
// the container back as `due` once it has passed.

export type PodState = 'Initializing' | 'Running' | 'StoppingSidecars' | 'Ending' | 'Finished';

export interface PodRuns {
  /** Containers with a run that has not ended (being started, or running). */
  running: ReadonlySet<string>;
  /** Containers waiting out a restart back-off or a config retry. */
  backingOff: ReadonlySet<string>;
  /** Containers whose back-off has passed, with the attempt (restart count) each now runs as. */
  due: ReadonlyMap<string, number>;
}

export interface PodLifecycleOptions {
  /** The restart back-off base (the kubelet's 10 s). */
  backoffBaseMs: number;
}

export interface PodInput {
  /** The pod as the kubelet sees it, with its newest status. */
  pod: Pod;
  runs: PodRuns;
  /** Why the pod must end though nobody deleted it, once decided. */
  ending: FinishOptions | undefined;
  now: number;
  options: PodLifecycleOptions;
}

export interface ContainerStart {
  name: string;
  /** The run's restart count: 0 for the first run. */
  attempt: number;
}

export interface PodPlan {
  state: PodState;
  /** The pod's new status; the final one when `state` is Finished. */
  status: PodStatus;
  /** Containers to start now, in order. The applier starts the first and asks again: a start can fail. */
  start: ContainerStart[];
  /** Why the pod must end, when it must. */
  ending: FinishOptions | undefined;
  /** SIGTERM to every run, SIGKILL at `killAt`; waiting restarts are cancelled. */
  stop?: { killAt: number };
  /** When pod.spec.activeDeadlineSeconds runs out, while it still can. */
  deadlineAt?: number;
}

/** The status a pod starts with once admitted: the controller writes a placeholder, the node reports the real one from here on. */
export function admittedStatus(pod: Pod, now: number): PodStatus {
  return pod.status.conditions.length === 0 ? initialPodStatus(pod, now) : pod.status;
}

/** The pod is being deleted or must end otherwise: nothing starts or restarts. */
export function isEnding(pod: Pod, ending: FinishOptions | undefined): boolean {
  return pod.deletionTimestamp !== undefined || ending !== undefined;
}

export function reconcilePod(input: PodInput): PodPlan {
  const { pod, runs, now } = input;
  let status = pod.status;
  if (isTerminalPhase(status.phase)) return { state: 'Finished', status, start: [], ending: input.ending };
  let ending = input.ending ?? (initFailedForGood(pod, status) ? { failed: true } : undefined);
  const deadlineAt = deadlineOf(pod, status);
  if (deadlineAt !== undefined && now >= deadlineAt && !isEnding(pod, ending)) ending = DEADLINE_EXCEEDED;
  const winding = isEnding(pod, ending);
  const start: ContainerStart[] = [];
  if (!winding) {
    // A restart whose back-off passed goes first, then whatever is next in order.
    for (const [name, attempt] of runs.due) start.push({ name, attempt });
    status = nextStarts(pod, status, runs, now, start);
  }
  const plan: PodPlan = { state: stateOf(pod, status), status, start, ending };
  if (deadlineAt !== undefined && !winding) plan.deadlineAt = deadlineAt;
  if (!winding && (start.length > 0 || !mainContainersDone(pod, status, runs))) return plan;
  if (runs.running.size > 0) {
    plan.state = winding ? 'Ending' : 'StoppingSidecars';
    plan.stop = { killAt: killAt(pod, now) };
    return plan;
  }
  return { state: 'Finished', status: podFinished(status, now, ending ?? {}), start: [], ending };
}

/** What follows a container's end or failed start: its new status, a run again after `restartAfterMs`, or the pod's end. */
export interface ContainerOutcome {
  status: PodStatus;
  restartAfterMs?: number;
  ending?: FinishOptions;
}

/** The container's run ended with `t`: whether it restarts in place (and after how long) or ends the pod. */
export function containerExited(input: PodInput, name: string, t: ContainerStateTerminated): ContainerOutcome {
  const { pod, runs, now } = input;
  const status = containerTerminated(pod.status, name, t, now);
  const next = exitOutcome({
    pod,
    name,
    exitCode: t.exitCode,
    winding: isEnding(pod, input.ending),
    mainDone: mainContainersDone(pod, status, runs),
    restarts: statusOf(status, name)?.restartCount ?? 0,
    backoffBaseMs: input.options.backoffBaseMs,
  });
  if (!next.restart) return next.failPod ? { status, ending: { failed: true } } : { status };
  return { status: containerWaitingToRestart(status, name, 'CrashLoopBackOff', next.message, now), restartAfterMs: next.delayMs };
}

/** What a container runtime reports when exec fails: the container never ran, and ends at once. */
export function containerFailedToStart(input: PodInput, start: ContainerStart, message: string): ContainerOutcome & { terminated: ContainerStateTerminated } {
  const { now } = input;
  const terminated: ContainerStateTerminated = { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now };
  const started = containerStarted(input.pod.status, start.name, now, start.attempt);
  return { ...containerExited({ ...input, pod: { ...input.pod, status: started } }, start.name, terminated), terminated };
}

/**
 * The container cannot be created as configured (a Secret or key missing): as
 * the kubelet's CreateContainerConfigError, it waits and is tried again (as
 * the same attempt) after the back-off base, so a Secret created meanwhile
 * lets it start.
 */
export function containerConfigError(input: PodInput, name: string, message: string): ContainerOutcome {
  return {
    status: containerWaitingToRestart(input.pod.status, name, 'CreateContainerConfigError', message, input.now),
    restartAfterMs: input.options.backoffBaseMs,
  };
}

/** Adds to `start` whatever is due next: the next init container, sidecars, or the main containers. */
function nextStarts(pod: Pod, status: PodStatus, runs: PodRuns, now: number, start: ContainerStart[]): PodStatus {
  const idle = (name: string): boolean => !runs.running.has(name) && !runs.backingOff.has(name) && !runs.due.has(name);
  for (const c of pod.spec.initContainers) {
    const cs = statusOf(status, c.name);
    if (c.restartPolicy === 'Always') {
      // A sidecar is started in its turn and then left running; its exits go through the back-off.
      if (idle(c.name) && cs?.started !== true && cs?.state.terminated === undefined && cs?.lastState === undefined) {
        start.push({ name: c.name, attempt: cs?.restartCount ?? 0 });
      }
      continue;
    }
    if (cs?.state.terminated?.exitCode === 0) continue;
    if (idle(c.name) && cs?.state.terminated === undefined) start.push({ name: c.name, attempt: cs?.restartCount ?? 0 });
    return status;
  }
  const s = isInitialized(status) ? status : podInitialized(status, now);
  for (const c of pod.spec.containers) {
    const cs = statusOf(s, c.name);
    const fresh = cs === undefined || (cs.state.waiting !== undefined && cs.lastState === undefined && cs.started !== true && cs.restartCount === 0);
    if (fresh && idle(c.name)) start.push({ name: c.name, attempt: 0 });
  }
  return s;
}

/** Every main container has ended and none will run again. */
function mainContainersDone(pod: Pod, status: PodStatus, runs: PodRuns): boolean {
  return pod.spec.containers.every(
    (c) => statusOf(status, c.name)?.state.terminated !== undefined && !runs.backingOff.has(c.name) && !runs.due.has(c.name) && !runs.running.has(c.name),
  );
}

/** An init container that failed under restartPolicy Never ends the pod, also when found so after a restart. */
function initFailedForGood(pod: Pod, status: PodStatus): boolean {
  if (pod.spec.restartPolicy !== 'Never') return false;
  return pod.spec.initContainers.some((c) => c.restartPolicy !== 'Always' && (statusOf(status, c.name)?.state.terminated?.exitCode ?? 0) !== 0);
}

/** pod.spec.activeDeadlineSeconds, counted from the pod's start as the kubelet does. */
function deadlineOf(pod: Pod, status: PodStatus): number | undefined {
  const ads = pod.spec.activeDeadlineSeconds;
  if (ads === undefined || status.startTime === undefined) return undefined;
  return status.startTime + ads * 1000;
}

/** Graceful deletion counts from the deletion; any other end from now. */
function killAt(pod: Pod, now: number): number {
  if (pod.deletionTimestamp !== undefined) return pod.deletionTimestamp + (pod.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000;
  return now + pod.spec.terminationGracePeriodSeconds * 1000;
}

function isInitialized(status: PodStatus): boolean {
  return status.conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
}

function stateOf(pod: Pod, status: PodStatus): PodState {
  return isInitialized(status) || pod.spec.initContainers.length === 0 ? 'Running' : 'Initializing';
}
