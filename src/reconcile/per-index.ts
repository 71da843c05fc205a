// spec.backoffLimitPerIndex: each index retries on its own, carrying its
// failure count from pod to pod in an annotation, and waits out its own back-off.
import { JOB_INDEX_FAILURE_COUNT, JOB_INDEX_IGNORED_FAILURE_COUNT, type Job, type Millis, type Pod } from '../api/types.js';
import { remainingBackoffMs } from './backoff.js';
import { hasIndex, parseIntervals, withIndexes, type Interval, type Intervals } from './intervals.js';
import { isPodFailed, podFinishTime, validIndex } from './pod-facts.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { ReconcileOptions } from './plan.js';

function countAnnotation(pod: Pod, key: string): number {
  const raw = pod.annotations[key];
  if (raw === undefined || !/^[0-9]+$/.test(raw)) return 0;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : 0;
}

export function indexFailureCount(pod: Pod): number {
  return countAnnotation(pod, JOB_INDEX_FAILURE_COUNT);
}

export function indexIgnoredFailureCount(pod: Pod): number {
  return countAnnotation(pod, JOB_INDEX_IGNORED_FAILURE_COUNT);
}

/** A counted failure of a pod that already used up its index's retries, or a FailIndex match. */
export function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  const match = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
  if (match.action === 'FailIndex') return true;
  return match.countFailed && indexFailureCount(pod) >= (job.spec.backoffLimitPerIndex ?? 0);
}

/** status.failedIndexes plus the indexes failed by pods not yet counted. */
export function calculateFailedIndexes(job: Job, previous: string | undefined, pods: readonly Pod[]): Interval[] {
  const completions = job.spec.completions ?? 0;
  const prior = parseIntervals(previous ?? '', completions);
  const fresh: number[] = [];
  for (const pod of pods) {
    // Without the finalizer the pod's outcome is already in status.failedIndexes.
    if (!pod.trackingFinalizer) continue;
    const ix = validIndex(pod, job);
    if (ix !== undefined && isIndexFailed(job, pod)) fresh.push(ix);
  }
  return withIndexes(prior, fresh);
}

function newerAttempt(a: Pod, b: Pod): Pod {
  const fa = indexFailureCount(a);
  const fb = indexFailureCount(b);
  if (fa !== fb) return fa > fb ? a : b;
  const ia = indexIgnoredFailureCount(a);
  const ib = indexIgnoredFailureCount(b);
  if (ia !== ib) return ia > ib ? a : b;
  return b.creationTimestamp > a.creationTimestamp ? b : a;
}

/**
 * Per index still to be retried, the latest failed pod: its finalizer stays
 * until its replacement exists, because the replacement copies its counts.
 */
export function podsWithDelayedFinalization(
  job: Job,
  pods: readonly Pod[],
  succeeded: Intervals,
  failed: Intervals,
  activeIndexes: ReadonlySet<number>,
): Map<number, Pod> {
  const out = new Map<number, Pod>();
  for (const pod of pods) {
    if (!pod.trackingFinalizer || !isPodFailed(pod, job)) continue;
    const ix = validIndex(pod, job);
    if (ix === undefined || hasIndex(succeeded, ix) || hasIndex(failed, ix) || activeIndexes.has(ix)) continue;
    const prev = out.get(ix);
    out.set(ix, prev === undefined ? pod : newerAttempt(prev, pod));
  }
  return out;
}

/** The failure-count annotations of the next pod for an index. */
export function replacementAnnotations(job: Job, replaced: Pod | undefined): Record<string, string> {
  let failures = 0;
  let ignored = 0;
  if (replaced !== undefined) {
    failures = indexFailureCount(replaced);
    ignored = indexIgnoredFailureCount(replaced);
    if (matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed) failures++;
    else ignored++;
  }
  const out: Record<string, string> = { [JOB_INDEX_FAILURE_COUNT]: String(failures) };
  if (ignored > 0) out[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(ignored);
  return out;
}

/** Back-off of one index, counted from its latest failed pod; 0 when none failed. */
export function indexBackoffRemainingMs(replaced: Pod | undefined, options: ReconcileOptions, now: Millis): number {
  if (replaced === undefined) return 0;
  const failures = indexFailureCount(replaced) + indexIgnoredFailureCount(replaced) + 1;
  return remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: podFinishTime(replaced) }, options, now);
}
