// ttlSecondsAfterFinished: a finished Job is deleted once its TTL has run
// out, counted from when its Complete or Failed condition became True.
import type { Job, JobStatus, Millis } from '../api/types.js';
import { finishedCondition } from './conditions.js';

export type TtlVerdict = { expired: true } | { expired: false; requeueAfterMs?: number };

export function checkTtl(job: Job, status: JobStatus, now: Millis): TtlVerdict {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const finished = finishedCondition(status);
  if (ttl === undefined || finished === undefined || job.deletionTimestamp !== undefined) return { expired: false };
  const remaining = finished.lastTransitionTime + ttl * 1000 - now;
  return remaining <= 0 ? { expired: true } : { expired: false, requeueAfterMs: remaining };
}
