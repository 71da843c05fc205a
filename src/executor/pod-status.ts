import type { ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from '../api/types.js';

// Pure transitions of a pod's runtime status, as the kubelet reports them. The
// kubelet module decides *when*; these decide *what the status becomes*.

function cloneStatus(s: PodStatus): PodStatus {
  return structuredClone(s);
}

function container(s: PodStatus, name: string): ContainerStatus {
  let c = s.containerStatuses.find((x) => x.name === name);
  if (c === undefined) {
    c = { name, state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0 };
    s.containerStatuses.push(c);
  }
  return c;
}

function setCondition(s: PodStatus, type: string, status: 'True' | 'False', now: number, reason?: string): void {
  const existing = s.conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason) return;
  const cond: PodCondition = { type, status, lastTransitionTime: now };
  if (reason !== undefined) cond.reason = reason;
  if (existing) Object.assign(existing, cond);
  else s.conditions.push(cond);
}

function refreshReadiness(s: PodStatus, now: number): void {
  const allReady = s.containerStatuses.length > 0 && s.containerStatuses.every((c) => c.ready);
  const terminal = s.phase === 'Succeeded' || s.phase === 'Failed';
  const reason = terminal ? 'PodCompleted' : allReady ? undefined : 'ContainersNotReady';
  setCondition(s, 'ContainersReady', allReady ? 'True' : 'False', now, reason);
  setCondition(s, 'Ready', allReady ? 'True' : 'False', now, reason);
}

/** The status a pod starts with, before any process runs. */
export function initialPodStatus(pod: Pod, now: number): PodStatus {
  const s: PodStatus = {
    phase: 'Pending',
    conditions: [],
    initContainerStatuses: [],
    containerStatuses: pod.spec.containers.map((c) => ({
      name: c.name,
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
      restartCount: 0,
      ...(c.image === undefined ? {} : { image: c.image }),
    })),
  };
  setCondition(s, 'PodScheduled', 'True', now);
  setCondition(s, 'Initialized', 'True', now);
  refreshReadiness(s, now);
  return s;
}

/** A container run begins; `attempt` is its restart count (0 for the first run). */
export function containerStarted(prev: PodStatus, name: string, now: number, attempt = 0): PodStatus {
  const s = cloneStatus(prev);
  const c = container(s, name);
  c.state = { running: { startedAt: now } };
  c.restartCount = attempt;
  c.ready = true;
  c.started = true;
  if (s.phase === 'Pending') {
    s.phase = 'Running';
    s.startTime ??= now;
  }
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
 * OnFailure: the container will run again in place; its last run moves to
 * lastState. The restart count goes up when it really restarts, as the kubelet's.
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

/** Every container has ended and none will restart: the pod's terminal phase. */
export function podFinished(prev: PodStatus, now: number, reason?: string, message?: string): PodStatus {
  const s = cloneStatus(prev);
  const allSucceeded =
    s.containerStatuses.length > 0 && s.containerStatuses.every((c) => c.state.terminated?.exitCode === 0);
  s.phase = allSucceeded ? 'Succeeded' : 'Failed';
  if (reason !== undefined) s.reason = reason;
  if (message !== undefined) s.message = message;
  for (const c of s.containerStatuses) {
    // A container that never ran ends with the pod, as a runtime reports it.
    if (c.state.terminated === undefined && c.state.running === undefined) {
      c.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: now } };
    } else if (c.state.running !== undefined) {
      c.state = { terminated: { exitCode: 137, reason: 'Error', startedAt: c.state.running.startedAt, finishedAt: now } };
    }
    c.ready = false;
  }
  if (!allSucceeded) s.phase = 'Failed';
  refreshReadiness(s, now);
  return s;
}

export function terminationReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}
