import { isTerminalPhase } from '../../api/pods.js';
import type { ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from '../../api/types.js';

// Pure transitions of a pod's runtime status, as the kubelet reports them. The
// kubelet module decides *when*; these decide *what the status becomes*.
// Container names are unique across init and main containers (validation), so
// a name alone finds the status in either list.

function cloneStatus(s: PodStatus): PodStatus {
  return structuredClone(s);
}

function container(s: PodStatus, name: string): ContainerStatus {
  let c = s.containerStatuses.find((x) => x.name === name) ?? s.initContainerStatuses.find((x) => x.name === name);
  if (c === undefined) {
    c = { name, state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0 };
    s.containerStatuses.push(c);
  }
  return c;
}

function setCondition(s: PodStatus, type: string, status: 'True' | 'False', now: number, reason?: string, message?: string): void {
  const existing = s.conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason) return;
  const cond: PodCondition = { type, status, lastTransitionTime: now };
  if (reason !== undefined) cond.reason = reason;
  if (message !== undefined) cond.message = message;
  if (existing) {
    delete existing.reason;
    delete existing.message;
    Object.assign(existing, cond);
  } else {
    s.conditions.push(cond);
  }
}

function refreshReadiness(s: PodStatus, now: number): void {
  const allReady = s.containerStatuses.length > 0 && s.containerStatuses.every((c) => c.ready);
  const terminal = isTerminalPhase(s.phase);
  const reason = terminal ? 'PodCompleted' : allReady ? undefined : 'ContainersNotReady';
  setCondition(s, 'ContainersReady', allReady ? 'True' : 'False', now, reason);
  setCondition(s, 'Ready', allReady ? 'True' : 'False', now, reason);
}

/** The status a pod starts with, before any process runs. */
export function initialPodStatus(pod: Pod, now: number): PodStatus {
  const hasInit = pod.spec.initContainers.length > 0;
  const waiting = hasInit ? 'PodInitializing' : 'ContainerCreating';
  const fresh = (c: Pod['spec']['containers'][number], reason: string): ContainerStatus => ({
    name: c.name,
    state: { waiting: { reason } },
    ready: false,
    restartCount: 0,
    ...(c.image === undefined ? {} : { image: c.image }),
  });
  const s: PodStatus = {
    phase: 'Pending',
    conditions: [],
    initContainerStatuses: pod.spec.initContainers.map((c) => fresh(c, 'PodInitializing')),
    containerStatuses: pod.spec.containers.map((c) => fresh(c, waiting)),
  };
  setCondition(s, 'PodScheduled', 'True', now);
  if (hasInit) setCondition(s, 'Initialized', 'False', now, 'ContainersNotInitialized');
  else setCondition(s, 'Initialized', 'True', now);
  refreshReadiness(s, now);
  return s;
}

/** Every regular init container has succeeded: the main containers may start. */
export function podInitialized(prev: PodStatus, now: number): PodStatus {
  const s = cloneStatus(prev);
  setCondition(s, 'Initialized', 'True', now);
  return s;
}

/**
 * A container run begins; `attempt` is its restart count (0 for the first run).
 * Only a main container makes the pod Running: init containers run while it is Pending.
 */
export function containerStarted(prev: PodStatus, name: string, now: number, attempt = 0): PodStatus {
  const s = cloneStatus(prev);
  const c = container(s, name);
  c.state = { running: { startedAt: now } };
  c.restartCount = attempt;
  c.ready = true;
  c.started = true;
  s.startTime ??= now;
  if (s.phase === 'Pending' && s.containerStatuses.includes(c)) s.phase = 'Running';
  refreshReadiness(s, now);
  return s;
}

export function containerTerminated(prev: PodStatus, name: string, t: ContainerStateTerminated, now: number): PodStatus {
  const s = cloneStatus(prev);
  const c = container(s, name);
  c.state = { terminated: t };
  c.ready = false;
  c.started = false;
  refreshReadiness(s, now);
  return s;
}

/**
 * The container will run again in place; its last run moves to lastState. The
 * restart count goes up when it really restarts, as the kubelet's.
 */
export function containerWaitingToRestart(prev: PodStatus, name: string, reason: string, message: string | undefined, now: number): PodStatus {
  const s = cloneStatus(prev);
  const c = container(s, name);
  if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
  c.state = { waiting: message === undefined ? { reason } : { reason, message } };
  c.ready = false;
  refreshReadiness(s, now);
  return s;
}

/** A condition the node or the API server sets on a pod, e.g. DisruptionTarget. */
export function withPodCondition(prev: PodStatus, type: string, reason: string, message: string, now: number): PodStatus {
  const s = cloneStatus(prev);
  setCondition(s, type, 'True', now, reason, message);
  return s;
}

export interface FinishOptions {
  /** The pod fails whatever its containers returned (deadline exceeded, init container failed). */
  failed?: boolean;
  reason?: string;
  message?: string;
}

function endContainer(c: ContainerStatus, now: number, neverStarted: 'unknown' | 'keep'): void {
  if (c.state.running !== undefined) {
    c.state = { terminated: { exitCode: 137, reason: 'Error', startedAt: c.state.running.startedAt, finishedAt: now } };
  } else if (c.state.terminated === undefined && neverStarted === 'unknown') {
    // A container that never ran ends with the pod, as a runtime reports it.
    c.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: now } };
  }
  c.ready = false;
}

/** Nothing runs and nothing will restart: the pod's terminal phase. Sidecars do not decide it. */
export function podFinished(prev: PodStatus, now: number, o: FinishOptions = {}): PodStatus {
  const s = cloneStatus(prev);
  const initialized = s.conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  const allSucceeded =
    s.containerStatuses.length > 0 && s.containerStatuses.every((c) => c.state.terminated?.exitCode === 0);
  s.phase = allSucceeded && o.failed !== true ? 'Succeeded' : 'Failed';
  if (o.reason !== undefined) s.reason = o.reason;
  if (o.message !== undefined) s.message = o.message;
  // Main containers that never got past initialization keep waiting, as kubectl shows them.
  for (const c of s.containerStatuses) endContainer(c, now, initialized ? 'unknown' : 'keep');
  for (const c of s.initContainerStatuses) endContainer(c, now, 'keep');
  refreshReadiness(s, now);
  return s;
}

export function terminationReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

export type Role = 'init' | 'sidecar' | 'main';

export const DEADLINE_EXCEEDED: FinishOptions = {
  failed: true,
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
};

export function roleOf(pod: Pod, name: string): Role {
  const init = pod.spec.initContainers.find((c) => c.name === name);
  if (init === undefined) return 'main';
  return init.restartPolicy === 'Always' ? 'sidecar' : 'init';
}

export function statusOf(status: PodStatus, name: string): ContainerStatus | undefined {
  return status.containerStatuses.find((c) => c.name === name) ?? status.initContainerStatuses.find((c) => c.name === name);
}
