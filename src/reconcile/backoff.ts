// Pod-failure back-off: after n failures since the last success, new pods wait
// base·2^(n-1) (capped) from the latest failure. Kubernetes keeps this record
// in memory; here it is derived from the pods themselves, so it survives
// restarts of the daemon.
import type { Job, Millis, Pod } from '../api/types.js';
import { isIndexed, isPodFailed, podFinishTime, validIndex } from './pod-facts.js';
import type { ReconcileOptions } from './plan.js';

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: Millis;
}

export function backoffDelayMs(failures: number, options: ReconcileOptions): number {
  if (failures <= 0) return 0;
  let delay = options.podBackoffBaseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= options.podBackoffMaxMs) return options.podBackoffMaxMs;
  }
  return Math.min(delay, options.podBackoffMaxMs);
}

/** Time left before a replacement may be created; 0 when it may be created now. */
export function remainingBackoffMs(record: BackoffRecord, options: ReconcileOptions, now: Millis): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const elapsed = now - record.lastFailureTime;
  const delay = backoffDelayMs(record.failuresAfterLastSuccess, options);
  return delay <= elapsed ? 0 : delay - elapsed;
}

/**
 * A requeue for a pending back-off: never sooner than a floor, so a daemon with
 * a shortened base still does not spin (1s at the default 10s base).
 */
export function backoffRequeueMs(remaining: number, options: ReconcileOptions): number {
  return Math.max(remaining, Math.min(1000, options.podBackoffBaseMs / 10));
}

/**
 * Whether a pod's failure advanced the back-off. A deleted pod whose
 * finalizer is already gone was either counted earlier or dropped on purpose
 * (suspend, scale-down); the latter must not delay anything, and the two look
 * alike, so neither is taken.
 */
function isBackoffFailure(pod: Pod, job: Job): boolean {
  if (!isPodFailed(pod, job)) return false;
  return pod.trackingFinalizer || pod.deletionTimestamp === undefined;
}

export function deriveBackoffRecord(job: Job, allPods: readonly Pod[]): BackoffRecord {
  // Pods of indexes the Job no longer has are not its outcomes.
  const pods = isIndexed(job) ? allPods.filter((p) => validIndex(p, job) !== undefined) : allPods;
  let lastSuccess: Millis | undefined;
  for (const pod of pods) {
    if (pod.status.phase !== 'Succeeded') continue;
    const t = podFinishTime(pod);
    if (lastSuccess === undefined || t > lastSuccess) lastSuccess = t;
  }
  let failures = 0;
  let lastFailureTime: Millis | undefined;
  for (const pod of pods) {
    if (!isBackoffFailure(pod, job)) continue;
    const t = podFinishTime(pod);
    if (lastSuccess !== undefined && t <= lastSuccess) continue;
    failures++;
    if (lastFailureTime === undefined || t > lastFailureTime) lastFailureTime = t;
  }
  return lastFailureTime === undefined
    ? { failuresAfterLastSuccess: failures }
    : { failuresAfterLastSuccess: failures, lastFailureTime };
}
