// Job conditions with the Job controller's update rules.
import type { ConditionStatus, JobCondition, JobConditionType, JobStatus, Millis } from '../api/types.js';

export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const MESSAGE_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';
export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const MESSAGE_BACKOFF_LIMIT_EXCEEDED = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const MESSAGE_DEADLINE_EXCEEDED = 'Job was active longer than specified deadline';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';
export const REASON_MAX_FAILED_INDEXES_EXCEEDED = 'MaxFailedIndexesExceeded';
export const MESSAGE_MAX_FAILED_INDEXES_EXCEEDED = 'Job has exceeded the specified maximal number of failed indexes';
export const REASON_FAILED_INDEXES = 'FailedIndexes';
export const MESSAGE_FAILED_INDEXES = 'Job has failed indexes';
export const REASON_SUCCESS_POLICY = 'SuccessPolicy';

export function newCondition(
  type: JobConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Millis,
): JobCondition {
  return { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
}

export function findCondition(conditions: readonly JobCondition[], type: JobConditionType): JobCondition | undefined {
  return conditions.find((c) => c.type === type);
}

export function hasTrueCondition(conditions: readonly JobCondition[], type: JobConditionType): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** The first Complete or Failed condition that is True: the Job is over. */
export function finishedCondition(status: JobStatus): JobCondition | undefined {
  return status.conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * Sets a condition the way the Job controller does: an existing one is
 * replaced in place (new timestamps) only when status, reason or message
 * differ, and a missing one is added only when it is not False — so a Job that
 * was never suspended never grows a `Suspended=False` condition.
 * Mutates `conditions`; returns whether it changed.
 */
export function ensureJobConditionStatus(
  conditions: JobCondition[],
  type: JobConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Millis,
): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  const existing = conditions[i];
  if (existing !== undefined) {
    if (existing.status === status && existing.reason === reason && existing.message === message) return false;
    conditions[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  conditions.push(newCondition(type, status, reason, message, now));
  return true;
}
