// What the Job controller reads off a pod: whether it counts as failed, its
// completion index, when it finished.
import { podCompletionIndex } from '../api/pods.js';
import type { ContainerStatus, Job, Millis, Pod } from '../api/types.js';

export function isIndexed(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}

/**
 * With podReplacementPolicy Failed (implied by a pod failure policy) a pod
 * that is still shutting down is neither failed nor replaced until it ends.
 */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/**
 * Failed phase, or — unless only failed pods are replaced — deleted before it
 * succeeded: a deleted pod may never get to report a phase, so it is counted
 * as a failure at once.
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.deletionTimestamp !== undefined && pod.status.phase !== 'Succeeded';
}

/** The pod's completion index if it is a usable one for this Job (below completions). */
export function validIndex(pod: Pod, job: Job): number | undefined {
  const ix = podCompletionIndex(pod);
  if (ix === undefined || ix >= (job.spec.completions ?? 0)) return undefined;
  return ix;
}

function latestFinish(prev: Millis | undefined, statuses: readonly ContainerStatus[]): Millis | undefined | null {
  let latest = prev;
  for (const c of statuses) {
    const t = c.state.terminated;
    // A container still running means the pod has no finish time yet.
    if (t === undefined) return null;
    if (latest === undefined || t.finishedAt > latest) latest = t.finishedAt;
  }
  return latest;
}

/**
 * When a pod ended, for the failure back-off: the last container to finish
 * (sidecars included), else when it became not ready, else when its deletion
 * grace period began, else when it was created.
 */
export function podFinishTime(pod: Pod): Millis {
  const fromContainers = latestFinish(undefined, pod.status.containerStatuses);
  if (fromContainers !== null) {
    const sidecarNames = new Set(pod.spec.initContainers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
    const sidecars = pod.status.initContainerStatuses.filter((c) => sidecarNames.has(c.name));
    const withSidecars = latestFinish(fromContainers, sidecars);
    if (withSidecars !== null && withSidecars !== undefined) return withSidecars;
  }
  const notReady = pod.status.conditions.find((c) => c.type === 'Ready' && c.status === 'False');
  if (notReady !== undefined) return notReady.lastTransitionTime;
  if (pod.deletionTimestamp !== undefined) {
    // The API server records the grace period on deletion; fall back to the spec's.
    const grace = pod.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
    return pod.deletionTimestamp - grace * 1000;
  }
  return pod.creationTimestamp;
}

export function podRestartCount(pod: Pod): number {
  let n = 0;
  for (const c of pod.status.initContainerStatuses) n += c.restartCount;
  for (const c of pod.status.containerStatuses) n += c.restartCount;
  return n;
}
