// Job status values: construction, copying and comparison. Comparison is by
// field rather than by serialisation so that an absent optional field and one
// set to undefined count as the same.
import type { JobCondition, JobStatus } from '../api/types.js';

export function emptyJobStatus(): JobStatus {
  return { conditions: [], active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, completedIndexes: '' };
}

export function cloneStatus(s: JobStatus): JobStatus {
  const out: JobStatus = {
    conditions: s.conditions.map((c) => ({ ...c })),
    active: s.active,
    ready: s.ready,
    terminating: s.terminating,
    succeeded: s.succeeded,
    failed: s.failed,
    completedIndexes: s.completedIndexes,
  };
  if (s.startTime !== undefined) out.startTime = s.startTime;
  if (s.completionTime !== undefined) out.completionTime = s.completionTime;
  if (s.failedIndexes !== undefined) out.failedIndexes = s.failedIndexes;
  return out;
}

function conditionEquals(a: JobCondition, b: JobCondition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastProbeTime === b.lastProbeTime &&
    a.lastTransitionTime === b.lastTransitionTime
  );
}

export function statusEquals(a: JobStatus, b: JobStatus): boolean {
  if (
    a.startTime !== b.startTime ||
    a.completionTime !== b.completionTime ||
    a.active !== b.active ||
    a.ready !== b.ready ||
    a.terminating !== b.terminating ||
    a.succeeded !== b.succeeded ||
    a.failed !== b.failed ||
    a.completedIndexes !== b.completedIndexes ||
    a.failedIndexes !== b.failedIndexes ||
    a.conditions.length !== b.conditions.length
  ) {
    return false;
  }
  return a.conditions.every((c, i) => {
    const other = b.conditions[i];
    return other !== undefined && conditionEquals(c, other);
  });
}
