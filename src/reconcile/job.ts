// One pass of the Job controller over one Job: from the persisted status and
// the Job's pods to a plan. Pure: time and identities come in as arguments.
import { isPodActive, isPodReady, isPodTerminal, isPodTerminating } from '../api/pods.js';
import { JOB_CONTROLLER_NAME, type Job, type JobCondition, type JobStatus, type Millis, type Pod } from '../api/types.js';
import { deriveBackoffRecord } from './backoff.js';
import {
  MESSAGE_BACKOFF_LIMIT_EXCEEDED,
  MESSAGE_COMPLETIONS_REACHED,
  MESSAGE_DEADLINE_EXCEEDED,
  MESSAGE_FAILED_INDEXES,
  MESSAGE_MAX_FAILED_INDEXES_EXCEEDED,
  REASON_BACKOFF_LIMIT_EXCEEDED,
  REASON_COMPLETIONS_REACHED,
  REASON_DEADLINE_EXCEEDED,
  REASON_FAILED_INDEXES,
  REASON_MAX_FAILED_INDEXES_EXCEEDED,
  REASON_POD_FAILURE_POLICY,
  REASON_SUCCESS_POLICY,
  ensureJobConditionStatus,
  findCondition,
  finishedCondition,
  hasTrueCondition,
  newCondition,
} from './conditions.js';
import { countIndexes, intervalsToString, parseIntervals, withIndexes, type Interval } from './intervals.js';
import { manageJob } from './manage.js';
import { calculateFailedIndexes, podsWithDelayedFinalization } from './per-index.js';
import { isIndexed, isPodFailed, podRestartCount, validIndex } from './pod-facts.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import type { EventDraft, Plan, PodCreate, PodDelete, ReconcileOptions } from './plan.js';
import { cloneStatus, statusEquals } from './status.js';
import { matchSuccessPolicy } from './success-policy.js';
import { checkTtl } from './ttl.js';

export interface ReconcileInput {
  job: Job;
  /** The persisted status. */
  status: JobStatus;
  /** Every pod owned by the Job that is not gone. */
  pods: readonly Pod[];
  options: ReconcileOptions;
}

interface Draft {
  status: JobStatus;
  create?: PodCreate[];
  delete?: PodDelete[];
  finalize?: string[];
  events?: EventDraft[];
  requeues?: (number | undefined)[];
  removeJob?: boolean;
  ttlExpired?: boolean;
}

function toPlan(previous: JobStatus, d: Draft): Plan {
  const plan: Plan = {
    create: d.create ?? [],
    delete: d.delete ?? [],
    finalize: d.finalize ?? [],
    status: d.status,
    statusChanged: !statusEquals(previous, d.status),
    events: d.events ?? [],
    removeJob: d.removeJob ?? false,
    ttlExpired: d.ttlExpired ?? false,
  };
  const requeues = (d.requeues ?? []).filter((r): r is number => r !== undefined && r > 0);
  if (requeues.length > 0) plan.requeueAfterMs = Math.min(...requeues);
  return plan;
}

export function reconcileJob(input: ReconcileInput, now: Millis): Plan {
  const { job, status } = input;
  // Another controller owns this Job: hands off, status included.
  if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) {
    // Deleting it is still ours: nothing else would ever remove the Job.
    return toPlan(status, { status: cloneStatus(status), removeJob: job.deletionTimestamp !== undefined });
  }
  if (finishedCondition(status) !== undefined) return reconcileFinished(input, now);
  if (job.deletionTimestamp !== undefined) return reconcileDeleted(input);
  return syncJob(input, now);
}

/** Whether a pod's failure adds to status.failed (an Ignore rule drops it). */
function failureCounts(job: Job, pod: Pod): boolean {
  return matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed;
}

function countablePod(job: Job, pod: Pod): boolean {
  return pod.trackingFinalizer && (!isIndexed(job) || validIndex(pod, job) !== undefined);
}

/**
 * A finished Job starts nothing. Outcomes that arrive late are still counted,
 * leftover finalizers are released, and the TTL runs.
 */
function reconcileFinished({ job, status: prev, pods }: ReconcileInput, now: Millis): Plan {
  const status = cloneStatus(prev);
  const finalize: string[] = [];
  const succeededIndexes: number[] = [];
  for (const pod of pods) {
    if (!pod.trackingFinalizer) continue;
    finalize.push(pod.uid);
    if (!isPodTerminal(pod) || !countablePod(job, pod)) continue;
    if (pod.status.phase === 'Succeeded') {
      const ix = validIndex(pod, job);
      if (ix !== undefined) succeededIndexes.push(ix);
      else if (!isIndexed(job)) status.succeeded++;
    } else if (failureCounts(job, pod)) {
      status.failed++;
    }
  }
  if (isIndexed(job) && succeededIndexes.length > 0) {
    const completed = withIndexes(parseIntervals(prev.completedIndexes, job.spec.completions ?? 0), succeededIndexes);
    status.completedIndexes = intervalsToString(completed);
    status.succeeded = countIndexes(completed);
  }
  if (job.deletionTimestamp !== undefined) {
    const active = pods.filter(isPodActive);
    const activeUids = new Set(active.map((p) => p.uid));
    const running = active.length + pods.filter(isPodTerminating).length;
    return toPlan(prev, {
      status,
      finalize: finalize.filter((uid) => !activeUids.has(uid)),
      delete: active.map((p) => ({ uid: p.uid, removeFinalizer: true, reason: 'JobDeleted' })),
      removeJob: running === 0,
    });
  }
  const ttl = checkTtl(job, status, now);
  return toPlan(prev, {
    status,
    finalize,
    ttlExpired: ttl.expired,
    requeues: [ttl.expired ? undefined : ttl.requeueAfterMs],
  });
}

/**
 * A Job being deleted: its pods are stopped without being counted, and the
 * Job goes once none is left running.
 */
function reconcileDeleted({ status: prev, pods }: ReconcileInput): Plan {
  const status = cloneStatus(prev);
  const active = pods.filter(isPodActive);
  const terminating = pods.filter(isPodTerminating).length;
  const activeUids = new Set(active.map((p) => p.uid));
  status.active = 0;
  status.ready = 0;
  status.terminating = terminating + active.length;
  return toPlan(prev, {
    status,
    delete: active.map((p) => ({ uid: p.uid, removeFinalizer: true, reason: 'JobDeleted' })),
    finalize: pods.filter((p) => p.trackingFinalizer && !activeUids.has(p.uid)).map((p) => p.uid),
    removeJob: active.length === 0 && terminating === 0,
  });
}

/** OnFailure restarts containers in place; their restarts stand in for failed pods. */
function pastBackoffLimitOnFailure(job: Job, activePods: readonly Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of activePods) restarts += podRestartCount(pod);
  return job.spec.backoffLimit === 0 ? restarts > 0 : restarts >= job.spec.backoffLimit;
}

function failJobMessage(job: Job, pods: readonly Pod[]): string | undefined {
  if (job.spec.podFailurePolicy === undefined) return undefined;
  for (const pod of pods) {
    if (!isPodFailed(pod, job)) continue;
    const msg = matchPodFailurePolicy(job.spec.podFailurePolicy, pod).failJobMessage;
    if (msg !== undefined) return msg;
  }
  return undefined;
}

function isResumed(condition: JobCondition | undefined): boolean {
  return condition === undefined || (condition.status === 'False' && condition.reason === 'JobResumed');
}

function syncJob({ job, status: prev, pods, options }: ReconcileInput, now: Millis): Plan {
  const spec = job.spec;
  const indexed = isIndexed(job);
  const completions = spec.completions;
  const status = cloneStatus(prev);
  const events: EventDraft[] = [];
  const requeues: (number | undefined)[] = [];

  const activePods = pods.filter(isPodActive);
  const terminatingBefore = pods.filter(isPodTerminating).length;
  const newSucceeded = pods.filter((p) => countablePod(job, p) && p.status.phase === 'Succeeded');
  const newFailed = pods.filter((p) => countablePod(job, p) && isPodFailed(p, job));
  const failedSoFar = prev.failed + newFailed.filter((p) => failureCounts(job, p)).length;

  if (status.startTime === undefined && !spec.suspend) status.startTime = now;
  // A resumed Job's deadline runs from the resume, not from its first start.
  const resuming = !spec.suspend && !isResumed(findCondition(prev.conditions, 'Suspended'));
  const deadlineStart = resuming ? now : status.startTime;

  // The terminal verdict, in the controller's order of precedence.
  let finished: JobCondition | undefined;
  const criteriaMet = findCondition(prev.conditions, 'SuccessCriteriaMet');
  if (criteriaMet?.status === 'True') finished = { ...criteriaMet };
  if (finished === undefined) {
    const target = findCondition(prev.conditions, 'FailureTarget');
    const message = target?.status === 'True' ? undefined : failJobMessage(job, pods);
    if (target?.status === 'True') finished = newCondition('Failed', 'True', target.reason, target.message, now);
    else if (message !== undefined) finished = newCondition('FailureTarget', 'True', REASON_POD_FAILURE_POLICY, message, now);
  }
  const deadlineMs = spec.activeDeadlineSeconds === undefined ? undefined : spec.activeDeadlineSeconds * 1000;
  if (finished === undefined) {
    if (failedSoFar > spec.backoffLimit || pastBackoffLimitOnFailure(job, activePods)) {
      finished = newCondition('FailureTarget', 'True', REASON_BACKOFF_LIMIT_EXCEEDED, MESSAGE_BACKOFF_LIMIT_EXCEEDED, now);
    } else if (deadlineMs !== undefined && deadlineStart !== undefined && !spec.suspend) {
      const left = deadlineMs - (now - deadlineStart);
      if (left <= 0) {
        finished = newCondition('FailureTarget', 'True', REASON_DEADLINE_EXCEEDED, MESSAGE_DEADLINE_EXCEEDED, now);
      } else {
        requeues.push(left);
      }
    }
  }

  let succeeded = prev.succeeded + newSucceeded.length;
  let succeededIdx: Interval[] = [];
  let failedIdx: Interval[] | undefined;
  let delayedPerIndex = new Map<number, Pod>();
  if (indexed) {
    const total = completions ?? 0;
    const fresh = newSucceeded.map((p) => validIndex(p, job)).filter((ix): ix is number => ix !== undefined);
    succeededIdx = withIndexes(parseIntervals(prev.completedIndexes, total), fresh);
    succeeded = countIndexes(succeededIdx);
    if (spec.backoffLimitPerIndex !== undefined) {
      failedIdx = calculateFailedIndexes(job, prev.failedIndexes, pods);
      const failedCount = countIndexes(failedIdx);
      if (finished === undefined) {
        if (spec.maxFailedIndexes !== undefined && failedCount > spec.maxFailedIndexes) {
          finished = newCondition('FailureTarget', 'True', REASON_MAX_FAILED_INDEXES_EXCEEDED, MESSAGE_MAX_FAILED_INDEXES_EXCEEDED, now);
        } else if (failedCount > 0 && failedCount + succeeded >= total) {
          finished = newCondition('FailureTarget', 'True', REASON_FAILED_INDEXES, MESSAGE_FAILED_INDEXES, now);
        }
      }
      const activeIndexes = new Set<number>();
      for (const p of activePods) {
        const ix = validIndex(p, job);
        if (ix !== undefined) activeIndexes.add(ix);
      }
      delayedPerIndex = podsWithDelayedFinalization(job, pods, succeededIdx, failedIdx, activeIndexes);
    }
    if (finished === undefined) {
      const message = matchSuccessPolicy(spec.successPolicy, total, succeededIdx);
      if (message !== undefined) finished = newCondition('SuccessCriteriaMet', 'True', REASON_SUCCESS_POLICY, message, now);
    }
  }

  let active = activePods.length;
  let ready = activePods.filter(isPodReady).length;
  let terminating = terminatingBefore;
  let create: PodCreate[] = [];
  let del: PodDelete[] = [];
  if (finished !== undefined) {
    // Finishing: stop whatever still runs. Finalizers stay so the pods are accounted below.
    del = activePods.map((p) => ({ uid: p.uid, removeFinalizer: false, reason: 'JobFinished' }));
    terminating += active;
    active = 0;
    ready = 0;
  } else {
    const managed = manageJob({
      job,
      pods,
      activePods,
      terminating: terminatingBefore,
      succeeded,
      succeededIndexes: succeededIdx,
      ...(failedIdx === undefined ? {} : { failedIndexes: failedIdx }),
      delayedPerIndex,
      backoff: deriveBackoffRecord(job, pods),
      options,
      now,
    });
    ({ create, delete: del, active, ready, terminating } = managed);
    requeues.push(managed.requeueAfterMs);
    const complete =
      completions === undefined ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
    if (complete) {
      finished = newCondition('SuccessCriteriaMet', 'True', REASON_COMPLETIONS_REACHED, MESSAGE_COMPLETIONS_REACHED, now);
    } else if (spec.suspend) {
      if (ensureJobConditionStatus(status.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
        events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
      }
    } else if (ensureJobConditionStatus(status.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
      events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
      status.startTime = now;
    }
  }
  if (finished !== undefined) requeues.length = 0;

  // Outcomes: every pod still holding its finalizer whose result is now known.
  const dropped = new Set(del.filter((d) => d.removeFinalizer).map((d) => d.uid));
  const failing = finished !== undefined && (finished.type === 'FailureTarget' || finished.type === 'Failed');
  const finalize: string[] = [];
  let countedFailed = 0;
  let countedSucceeded = 0;
  for (const pod of pods) {
    if (!pod.trackingFinalizer || dropped.has(pod.uid)) continue;
    const failed = isPodFailed(pod, job);
    const succeededPod = pod.status.phase === 'Succeeded';
    const ix = validIndex(pod, job);
    const held = failed && ix !== undefined && delayedPerIndex.get(ix) === pod;
    if (!(finished !== undefined || succeededPod || (failed && !held))) continue;
    finalize.push(pod.uid);
    const countable = !indexed || ix !== undefined;
    if (succeededPod) {
      if (countable && !indexed) countedSucceeded++;
    } else if ((failed || failing) && countable && failureCounts(job, pod)) {
      // A Job that fails takes its unfinished pods down with it: each counts as failed.
      countedFailed++;
    }
  }

  status.failed = prev.failed + countedFailed;
  if (indexed) {
    status.succeeded = succeeded;
    status.completedIndexes = intervalsToString(succeededIdx);
    if (failedIdx !== undefined) status.failedIndexes = intervalsToString(failedIdx);
  } else {
    status.succeeded = prev.succeeded + countedSucceeded;
  }
  status.active = active;
  status.ready = ready;
  status.terminating = terminating;

  // Interim condition now; the final one only once no pod is still shutting down.
  if (finished?.type === 'FailureTarget') {
    status.conditions.push(finished);
    finished = newCondition('Failed', 'True', finished.reason, finished.message, now);
  } else if (finished?.type === 'SuccessCriteriaMet') {
    if (!hasTrueCondition(status.conditions, 'SuccessCriteriaMet')) status.conditions.push(finished);
    finished = newCondition('Complete', 'True', finished.reason, finished.message, now);
  }
  let ttlExpired = false;
  if (finished !== undefined && terminating === 0) {
    ensureJobConditionStatus(status.conditions, finished.type, 'True', finished.reason, finished.message, now);
    if (finished.type === 'Complete') {
      status.completionTime = now;
      if (completions !== undefined && status.succeeded > completions) {
        events.push({
          type: 'Warning',
          reason: 'TooManySucceededPods',
          message: 'Too many succeeded pods running after completion count reached',
        });
      }
      events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
    } else {
      events.push({ type: 'Warning', reason: finished.reason, message: finished.message });
    }
    const ttl = checkTtl(job, status, now);
    ttlExpired = ttl.expired;
    if (!ttl.expired) requeues.push(ttl.requeueAfterMs);
  }

  return toPlan(prev, { status, create, delete: del, finalize, events, requeues, ttlExpired });
}
