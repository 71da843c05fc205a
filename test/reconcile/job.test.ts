import { describe, expect, it } from 'vitest';
import { isPodGone } from '../../src/api/pods.js';
import {
  JOB_INDEX_FAILURE_COUNT,
  type ConditionStatus,
  type Job,
  type JobConditionType,
  type JobStatus,
  type Millis,
  type Pod,
} from '../../src/api/types.js';
import { reconcileJob } from '../../src/reconcile/job.js';
import { DEFAULT_RECONCILE_OPTIONS, type Plan, type PodCreate, type PodDelete, type ReconcileOptions } from '../../src/reconcile/plan.js';
import { buildPod, generatePodName } from '../../src/reconcile/pod-template.js';
import {
  at,
  condition,
  failed,
  indexedJob,
  job,
  pending,
  pod,
  running,
  status,
  succeeded,
  terminating,
} from '../helpers/builders.js';

const NOW = at(1000);

interface Given {
  job: Job;
  status?: JobStatus;
  pods?: Pod[];
  now?: Millis;
  options?: Partial<ReconcileOptions>;
}

interface Want {
  /** Number of pods created, or the exact creations. */
  create?: number | PodCreate[];
  /** Exact deletions (order-insensitive). */
  delete?: PodDelete[];
  /** Number of deletions when the exact pods do not matter. */
  deleteCount?: number;
  /** Exact finalized uids (order-insensitive). */
  finalize?: string[];
  active?: number;
  ready?: number;
  terminating?: number;
  succeeded?: number;
  failed?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  startTime?: Millis | undefined;
  completionTime?: Millis | undefined;
  /** Conditions in order, as `Type=Status/Reason`. */
  conditions?: string[];
  /** Message of the condition of a type. */
  conditionMessage?: [JobConditionType, string];
  /** `Type Reason: message`. */
  events?: string[];
  requeueAfterMs?: number | undefined;
  statusChanged?: boolean;
  removeJob?: boolean;
  ttlExpired?: boolean;
}

interface Case {
  given: Given;
  want: Want;
  /** Applying the plan leads to more work on the next pass (capped creations, delayed finalizers). */
  settlesLater?: boolean;
}

const started = (extra: Partial<JobStatus> = {}): JobStatus => status({ startTime: at(0), ...extra });
const cond = (type: JobConditionType, reason: string, message = '', time = at(0), s: ConditionStatus = 'True') =>
  condition(type, reason, message, time, s as 'True' | 'False');

// Pods with fixed uids where a case names them.
const runA = pod({ uid: 'a', phase: 'Running' });
const pendB = pod({ uid: 'b', phase: 'Pending' });
const succS = pod({ uid: 's', phase: 'Succeeded', finishedAt: at(900) });
const failF = pod({ uid: 'f', phase: 'Failed', finishedAt: at(100) });

const pfpJob = job({
  spec: {
    podFailurePolicy: {
      rules: [
        { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ],
    },
  },
});
const perIndexJob = indexedJob(2, 2, { spec: { backoffLimitPerIndex: 1, backoffLimit: 2147483647 } });
const successPolicyJob = indexedJob(3, 3, { spec: { successPolicy: { rules: [{ succeededIndexes: '0' }] } } });

const cases: Record<string, Case> = {
  'job start': {
    given: { job: job(), status: status() },
    want: { create: 1, active: 1, startTime: NOW, conditions: [], events: [] },
  },
  'job start with parallelism below completions': {
    given: { job: job({ spec: { parallelism: 3, completions: 5 } }), status: status() },
    want: { create: 3, active: 3 },
  },
  'too few active pods': {
    given: {
      job: job({ spec: { parallelism: 3, completions: 5 } }),
      status: started({ active: 1 }),
      pods: [pod({ uid: 'r1' }), pod({ uid: 'ok', phase: 'Succeeded', finishedAt: at(10) })],
    },
    want: { create: 2, active: 3, succeeded: 1, finalize: ['ok'], startTime: at(0) },
  },
  'too many active pods': {
    given: { job: job({ spec: { parallelism: 2, completions: 5 } }), status: started({ active: 4 }), pods: running(4) },
    want: { create: 0, deleteCount: 2, active: 2, terminating: 2, failed: 0, finalize: [] },
  },
  'too many active pods deletes the least advanced first': {
    given: { job: job(), status: started(), pods: [runA, pendB] },
    want: { delete: [{ uid: 'b', removeFinalizer: true, reason: 'Excess' }], active: 1, ready: 1 },
  },
  'as many pods as wanted': {
    given: { job: job({ spec: { parallelism: 2, completions: 5 } }), status: started({ active: 2, ready: 2 }), pods: running(2) },
    want: { create: 0, deleteCount: 0, statusChanged: false },
  },
  'ready counts only ready active pods': {
    given: {
      job: job({ spec: { parallelism: 3, completions: 3 } }),
      status: started(),
      pods: [...running(1), ...running(1, { ready: false }), ...pending(1)],
    },
    want: { active: 3, ready: 1 },
  },
  'succeeded pod is counted and its finalizer released': {
    given: { job: job({ spec: { completions: 2 } }), status: started(), pods: [succS] },
    want: { succeeded: 1, finalize: ['s'], create: 1 },
  },
  'counted pod is not counted again': {
    given: {
      job: job({ spec: { completions: 2 } }),
      status: started({ succeeded: 1, active: 1, ready: 1 }),
      pods: [pod({ phase: 'Succeeded', finalizer: false }), ...running(1)],
    },
    want: { succeeded: 1, finalize: [], create: 0, statusChanged: false },
  },
  'job completes when completions are reached': {
    given: { job: job({ spec: { completions: 2, parallelism: 2 } }), status: started({ active: 1 }), pods: succeeded(2, at(50)) },
    want: {
      succeeded: 2,
      active: 0,
      conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      conditionMessage: ['Complete', 'Reached expected number of succeeded pods'],
      completionTime: NOW,
      events: ['Normal Completed: Job completed'],
    },
  },
  'completion waits for terminating pods': {
    given: {
      job: job(),
      status: started(),
      pods: [...succeeded(1), ...terminating(1, at(990), { finalizer: false })],
    },
    want: { conditions: ['SuccessCriteriaMet=True/CompletionsReached'], terminating: 1, events: [], completionTime: undefined },
  },
  'complete once the terminating pods are gone': {
    given: {
      job: job(),
      status: started({ succeeded: 1, terminating: 1, conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods')] }),
      pods: succeeded(1, at(10), { finalizer: false }),
    },
    want: {
      conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      terminating: 0,
      completionTime: NOW,
      events: ['Normal Completed: Job completed'],
    },
  },
  'too many succeeded pods': {
    given: { job: job({ spec: { completions: 2, parallelism: 3 } }), status: started(), pods: succeeded(3) },
    want: {
      succeeded: 3,
      events: ['Warning TooManySucceededPods: Too many succeeded pods running after completion count reached', 'Normal Completed: Job completed'],
    },
  },
  'completions 0 completes at once': {
    given: { job: job({ spec: { completions: 0 } }), status: status() },
    want: { create: 0, conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'] },
  },
  'parallelism 0 is paused': {
    given: { job: job({ spec: { parallelism: 0, completions: 3 } }), status: status() },
    want: { create: 0, conditions: [], startTime: NOW, events: [] },
  },
  'work queue: starts parallelism pods': {
    given: { job: job({ spec: { parallelism: 3, completions: undefined } }), status: status() },
    want: { create: 3, active: 3 },
  },
  'work queue: no new pods after first success': {
    given: {
      job: job({ spec: { parallelism: 3, completions: undefined } }),
      status: started({ active: 3 }),
      pods: [...succeeded(1), ...running(1)],
    },
    want: { create: 0, active: 1, succeeded: 1, conditions: [] },
  },
  'work queue: complete once one pod succeeded and the rest ended': {
    given: {
      job: job({ spec: { parallelism: 2, completions: undefined } }),
      status: started({ active: 2 }),
      pods: [...succeeded(1), ...failed(1)],
    },
    want: { succeeded: 1, failed: 1, conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'] },
  },
  'failed pod is counted and replaced': {
    given: { job: job(), status: started({ active: 1 }), pods: [failF] },
    want: { failed: 1, finalize: ['f'], create: 1, active: 1 },
  },
  'back-off delays replacement': {
    given: { job: job(), status: started(), pods: failed(1, NOW - 2000) },
    want: { failed: 1, create: 0, active: 0, requeueAfterMs: 8000 },
  },
  'back-off doubles with each failure': {
    given: {
      job: job(),
      status: started(),
      pods: [...failed(1, NOW - 100_000), ...failed(1, NOW - 60_000), ...failed(1, NOW - 30_000)],
    },
    want: { failed: 3, create: 0, requeueAfterMs: 10_000 },
  },
  'back-off resets after success': {
    given: {
      job: job({ spec: { completions: 3 } }),
      status: started(),
      pods: [...failed(2, NOW - 3000), ...succeeded(1, NOW - 1000)],
    },
    want: { create: 1, failed: 2, succeeded: 1, requeueAfterMs: undefined },
  },
  'back-off is capped at the maximum': {
    given: {
      job: job({ spec: { backoffLimit: 20 } }),
      status: started({ failed: 9 }),
      pods: [...failed(9, NOW - 700_000, { finalizer: false }), ...failed(1, NOW - 599_000)],
    },
    want: { create: 0, failed: 10, requeueAfterMs: 1000 },
  },
  'back-off scales with a shortened base': {
    given: { job: job(), status: started(), pods: failed(1, NOW - 50), options: { podBackoffBaseMs: 100, podBackoffMaxMs: 6000 } },
    want: { create: 0, requeueAfterMs: 50 },
  },
  'backoff limit exceeded': {
    given: { job: job({ spec: { backoffLimit: 1 } }), status: started({ failed: 1 }), pods: [...failed(1, at(10), { finalizer: false }), ...failed(1, at(20))] },
    want: {
      failed: 2,
      create: 0,
      conditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
      conditionMessage: ['Failed', 'Job has reached the specified backoff limit'],
      events: ['Warning BackoffLimitExceeded: Job has reached the specified backoff limit'],
      completionTime: undefined,
    },
  },
  'backoff limit 0 fails the job and counts its running pods as failed': {
    given: {
      job: job({ spec: { backoffLimit: 0, parallelism: 3, completions: 3 } }),
      status: started({ active: 3 }),
      pods: [failF, pod({ uid: 'r1' }), pod({ uid: 'r2' })],
    },
    want: {
      delete: [
        { uid: 'r1', removeFinalizer: false, reason: 'JobFinished' },
        { uid: 'r2', removeFinalizer: false, reason: 'JobFinished' },
      ],
      finalize: ['f', 'r1', 'r2'],
      failed: 3,
      active: 0,
      ready: 0,
      terminating: 2,
      conditions: ['FailureTarget=True/BackoffLimitExceeded'],
      events: [],
    },
  },
  'failed job waits for terminating pods before Failed': {
    given: {
      job: job({ spec: { backoffLimit: 0 } }),
      status: started({ failed: 2, terminating: 1, conditions: [cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }),
      pods: [...failed(1, at(10), { finalizer: false }), ...terminating(1, at(999), { finalizer: false })],
    },
    want: { conditions: ['FailureTarget=True/BackoffLimitExceeded'], events: [], create: 0, statusChanged: false },
  },
  'failed job gets Failed once its pods are gone': {
    given: {
      job: job({ spec: { backoffLimit: 0 } }),
      status: started({ failed: 2, terminating: 1, conditions: [cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }),
      pods: failed(1, at(10), { finalizer: false }),
    },
    want: {
      conditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
      terminating: 0,
      failed: 2,
      events: ['Warning BackoffLimitExceeded: Job has reached the specified backoff limit'],
    },
  },
  'OnFailure restarts count toward backoffLimit': {
    given: {
      job: job({ spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } } }),
      status: started({ active: 1, ready: 1 }),
      pods: [pod({ uid: 'r', restartCount: 2 })],
    },
    want: {
      conditions: ['FailureTarget=True/BackoffLimitExceeded'],
      delete: [{ uid: 'r', removeFinalizer: false, reason: 'JobFinished' }],
      finalize: ['r'],
      failed: 1,
    },
  },
  'OnFailure restarts below backoffLimit keep the job running': {
    given: {
      job: job({ spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } } }),
      status: started({ active: 1, ready: 1 }),
      pods: running(1, { restartCount: 1 }),
    },
    want: { conditions: [], deleteCount: 0, statusChanged: false },
  },
  'OnFailure with backoffLimit 0 fails on the first restart': {
    given: {
      job: job({ spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'OnFailure' } } } }),
      status: started({ active: 1 }),
      pods: running(1, { restartCount: 1 }),
    },
    want: { conditions: ['FailureTarget=True/BackoffLimitExceeded'], deleteCount: 1 },
  },
  'deadline exceeded while pods running': {
    given: {
      job: job({ spec: { activeDeadlineSeconds: 10, parallelism: 2, completions: 4 } }),
      status: status({ startTime: NOW - 11_000, active: 2, ready: 2 }),
      pods: running(2),
    },
    want: {
      conditions: ['FailureTarget=True/DeadlineExceeded'],
      conditionMessage: ['FailureTarget', 'Job was active longer than specified deadline'],
      deleteCount: 2,
      failed: 2,
      terminating: 2,
      active: 0,
      requeueAfterMs: undefined,
    },
  },
  'deadline exceeded with nothing running fails at once': {
    given: { job: job({ spec: { activeDeadlineSeconds: 10 } }), status: status({ startTime: NOW - 10_000 }), pods: failed(1, NOW - 20_000, { finalizer: false }) },
    want: {
      conditions: ['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded'],
      events: ['Warning DeadlineExceeded: Job was active longer than specified deadline'],
      create: 0,
    },
  },
  'deadline not yet reached requeues': {
    given: { job: job({ spec: { activeDeadlineSeconds: 60 } }), status: status({ startTime: NOW - 10_000, active: 1, ready: 1 }), pods: running(1) },
    want: { requeueAfterMs: 50_000, conditions: [] },
  },
  'deadline stops new pods before the backoff limit is reached': {
    given: { job: job({ spec: { activeDeadlineSeconds: 5, backoffLimit: 6 } }), status: status({ startTime: NOW - 6000 }), pods: failed(1, NOW - 60_000) },
    want: { create: 0, conditions: ['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded'], failed: 1 },
  },
  'backoff limit is the reason when both it and the deadline are reached': {
    given: { job: job({ spec: { activeDeadlineSeconds: 5, backoffLimit: 0 } }), status: status({ startTime: NOW - 6000 }), pods: failed(1, NOW - 100) },
    want: { conditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'] },
  },
  'suspended job deletes pods without counting': {
    given: { job: job({ spec: { suspend: true, parallelism: 2, completions: 2 } }), status: started({ active: 2, ready: 2 }), pods: [pod({ uid: 'r1' }), pod({ uid: 'r2' })] },
    want: {
      delete: [
        { uid: 'r1', removeFinalizer: true, reason: 'Suspended' },
        { uid: 'r2', removeFinalizer: true, reason: 'Suspended' },
      ],
      finalize: [],
      failed: 0,
      active: 0,
      ready: 0,
      terminating: 2,
      startTime: at(0),
      conditions: ['Suspended=True/JobSuspended'],
      conditionMessage: ['Suspended', 'Job suspended'],
      events: ['Normal Suspended: Job suspended'],
    },
  },
  'job created suspended gets no pods and no start time': {
    given: { job: job({ spec: { suspend: true } }), status: status() },
    want: { create: 0, startTime: undefined, ready: 0, conditions: ['Suspended=True/JobSuspended'], events: ['Normal Suspended: Job suspended'] },
  },
  'suspended job stays quiet': {
    given: { job: job({ spec: { suspend: true } }), status: status({ conditions: [cond('Suspended', 'JobSuspended', 'Job suspended')] }) },
    want: { create: 0, events: [], statusChanged: false },
  },
  'deadline does not run while suspended': {
    given: {
      job: job({ spec: { suspend: true, activeDeadlineSeconds: 10 } }),
      status: status({ startTime: at(0), conditions: [cond('Suspended', 'JobSuspended', 'Job suspended')] }),
    },
    want: { conditions: ['Suspended=True/JobSuspended'], requeueAfterMs: undefined, statusChanged: false },
  },
  'resume resets start time': {
    given: { job: job(), status: status({ startTime: at(0), conditions: [cond('Suspended', 'JobSuspended', 'Job suspended')] }) },
    want: {
      create: 1,
      startTime: NOW,
      conditions: ['Suspended=False/JobResumed'],
      conditionMessage: ['Suspended', 'Job resumed'],
      events: ['Normal Resumed: Job resumed'],
    },
  },
  'resume restarts the deadline': {
    given: {
      job: job({ spec: { activeDeadlineSeconds: 10 } }),
      status: status({ startTime: at(0), conditions: [cond('Suspended', 'JobSuspended', 'Job suspended')] }),
    },
    want: { create: 1, conditions: ['Suspended=False/JobResumed'], requeueAfterMs: 10_000 },
  },
  'indexed job picks lowest pending indexes': {
    given: { job: indexedJob(5, 3), status: started({ completedIndexes: '0', succeeded: 1, active: 1 }), pods: [pod({ index: 2 })] },
    want: { create: [{ index: 1 }, { index: 3 }], active: 3, completedIndexes: '0' },
  },
  'indexed job records completed indexes': {
    given: {
      job: indexedJob(6, 2),
      status: started({ completedIndexes: '0', succeeded: 1 }),
      pods: [pod({ index: 1, phase: 'Succeeded' }), pod({ index: 3, phase: 'Succeeded' }), pod({ index: 2 })],
    },
    want: { completedIndexes: '0,1,3', succeeded: 3, create: [{ index: 4 }] },
  },
  'second pod of completed index not counted twice': {
    given: {
      job: indexedJob(2, 1),
      status: started({ completedIndexes: '0', succeeded: 1, active: 1, ready: 1 }),
      pods: [pod({ uid: 'dup', index: 0, phase: 'Succeeded' }), pod({ index: 1 })],
    },
    want: { finalize: ['dup'], succeeded: 1, completedIndexes: '0', create: 0 },
  },
  'indexed job completes when every index succeeded': {
    given: { job: indexedJob(3, 3), status: started({ completedIndexes: '0,1', succeeded: 2 }), pods: [pod({ index: 2, phase: 'Succeeded' })] },
    want: { completedIndexes: '0-2', succeeded: 3, conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'] },
  },
  'indexed job replaces a failed index with the same index': {
    given: {
      job: indexedJob(3, 3),
      status: started({ active: 3 }),
      pods: [pod({ index: 0 }), pod({ uid: 'f1', index: 1, phase: 'Failed', finishedAt: at(0) }), pod({ index: 2 })],
    },
    want: { create: [{ index: 1 }], finalize: ['f1'], failed: 1, active: 3 },
  },
  'indexed: duplicate active index is deleted': {
    given: {
      job: indexedJob(2, 2),
      status: started(),
      pods: [pod({ uid: 'old', index: 0, creationTimestamp: at(1) }), pod({ uid: 'new', index: 0, creationTimestamp: at(2) }), pod({ uid: 'one', index: 1 })],
    },
    want: { delete: [{ uid: 'new', removeFinalizer: true, reason: 'Excess' }], create: 0, active: 2 },
  },
  'indexed: pod beyond completions is deleted': {
    given: { job: indexedJob(2, 2), status: started(), pods: [pod({ index: 0 }), pod({ index: 1 }), pod({ uid: 'far', index: 5 })] },
    want: { delete: [{ uid: 'far', removeFinalizer: true, reason: 'Excess' }] },
  },
  'indexed: succeeded pod beyond completions is released uncounted': {
    given: { job: indexedJob(2, 2), status: started(), pods: [pod({ index: 0 }), pod({ index: 1 }), pod({ uid: 'gone', index: 3, phase: 'Succeeded' })] },
    want: { finalize: ['gone'], succeeded: 0, completedIndexes: '' },
  },
  'terminating pod replaced at once (TerminatingOrFailed)': {
    given: { job: job(), status: started({ active: 1, ready: 1 }), pods: [pod({ uid: 'del', deletionTimestamp: NOW - 1000 })] },
    want: { failed: 1, finalize: ['del'], create: 1, active: 1, terminating: 1 },
  },
  'terminating pod not replaced before it ends (Failed)': {
    given: {
      job: job({ spec: { podReplacementPolicy: 'Failed' } }),
      status: started({ active: 1, ready: 1 }),
      pods: [pod({ uid: 'del', deletionTimestamp: NOW - 1000 })],
    },
    want: { failed: 0, finalize: [], create: 0, active: 0, terminating: 1 },
  },
  'terminating pod replaced once it failed (Failed)': {
    given: {
      job: job({ spec: { podReplacementPolicy: 'Failed' } }),
      status: started({ terminating: 1 }),
      pods: [pod({ uid: 'del', phase: 'Failed', deletionTimestamp: NOW - 60_000, finishedAt: NOW - 30_000 })],
    },
    want: { failed: 1, finalize: ['del'], create: 1, terminating: 0 },
  },
  'index of a terminating pod is not reused before it ends (Failed)': {
    given: {
      job: indexedJob(2, 2, { spec: { podReplacementPolicy: 'Failed' } }),
      status: started(),
      pods: [pod({ index: 0, deletionTimestamp: NOW - 1000 })],
    },
    want: { create: [{ index: 1 }], terminating: 1 },
  },
  'creations are capped per sync': {
    given: { job: job({ spec: { parallelism: 700, completions: 700 } }), status: status() },
    want: { create: 500, active: 500 },
    settlesLater: true,
  },
  'ttl expired': {
    given: {
      job: job({ spec: { ttlSecondsAfterFinished: 60 } }),
      status: started({ succeeded: 1, completionTime: NOW - 100_000, conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'm', NOW - 100_000), cond('Complete', 'CompletionsReached', 'm', NOW - 100_000)] }),
      pods: succeeded(1, NOW - 100_000, { finalizer: false }),
    },
    want: { ttlExpired: true, statusChanged: false, create: 0 },
  },
  'ttl not yet expired requeues': {
    given: {
      job: job({ spec: { ttlSecondsAfterFinished: 300 } }),
      status: started({ failed: 1, conditions: [cond('FailureTarget', 'BackoffLimitExceeded', 'm', NOW - 100_000), cond('Failed', 'BackoffLimitExceeded', 'm', NOW - 100_000)] }),
    },
    want: { ttlExpired: false, requeueAfterMs: 200_000, statusChanged: false },
  },
  'ttl 0 deletes the job as it finishes': {
    given: { job: job({ spec: { ttlSecondsAfterFinished: 0 } }), status: started({ active: 1 }), pods: succeeded(1) },
    want: { conditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'], ttlExpired: true },
  },
  'finished job counts a late outcome and starts nothing': {
    given: {
      job: job({ spec: { backoffLimit: 0 } }),
      status: started({ failed: 1, conditions: [cond('FailureTarget', 'BackoffLimitExceeded', 'm'), cond('Failed', 'BackoffLimitExceeded', 'm')] }),
      pods: [pod({ uid: 'late', phase: 'Failed', finishedAt: NOW })],
    },
    want: { failed: 2, finalize: ['late'], create: 0, deleteCount: 0, events: [] },
  },
  'job being deleted stops pods without counting': {
    given: {
      job: job({ deletionTimestamp: NOW - 1000, spec: { parallelism: 2, completions: 2 } }),
      status: started({ active: 2 }),
      pods: [pod({ uid: 'r1' }), pod({ uid: 'r2' }), pod({ uid: 'x', phase: 'Failed' })],
    },
    want: {
      delete: [
        { uid: 'r1', removeFinalizer: true, reason: 'JobDeleted' },
        { uid: 'r2', removeFinalizer: true, reason: 'JobDeleted' },
      ],
      finalize: ['x'],
      failed: 0,
      create: 0,
      removeJob: false,
      terminating: 2,
    },
  },
  'finished job being deleted is removed': {
    given: {
      job: job({ deletionTimestamp: NOW - 1000, spec: { ttlSecondsAfterFinished: 0 } }),
      status: started({ succeeded: 1, conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', 'm'), cond('Complete', 'CompletionsReached', 'm')] }),
      pods: succeeded(1, at(0), { finalizer: false }),
    },
    want: { removeJob: true, ttlExpired: false, statusChanged: false },
  },
  'deleted job is removed once no pod runs': {
    given: { job: job({ deletionTimestamp: NOW - 1000 }), status: started(), pods: failed(1, at(0), { finalizer: false }) },
    want: { removeJob: true, create: 0, deleteCount: 0 },
  },
  'deleted job waits for terminating pods': {
    given: { job: job({ deletionTimestamp: NOW - 1000 }), status: started({ terminating: 1 }), pods: terminating(1, NOW - 1000, { finalizer: false }) },
    want: { removeJob: false, deleteCount: 0, statusChanged: false },
  },
  'managed by another controller is left alone': {
    given: { job: job({ spec: { managedBy: 'example.com/other' } }), status: status(), pods: failed(1) },
    want: { create: 0, finalize: [], statusChanged: false, startTime: undefined, events: [] },
  },
  'managed by another controller and deleted: removed, since nothing else would': {
    given: { job: job({ deletionTimestamp: NOW - 1000, spec: { managedBy: 'example.com/other' } }), status: status() },
    want: { removeJob: true, create: 0, statusChanged: false },
  },
  'managed by the job controller by name is reconciled': {
    given: { job: job({ spec: { managedBy: 'kubernetes.io/job-controller' } }), status: status() },
    want: { create: 1 },
  },
  'pod failure policy FailJob fails the job': {
    given: { job: pfpJob, status: started({ active: 1 }), pods: [pod({ job: pfpJob, uid: 'x', name: 'pi-x', phase: 'Failed', exitCode: 42 })] },
    want: {
      conditions: ['FailureTarget=True/PodFailurePolicy', 'Failed=True/PodFailurePolicy'],
      conditionMessage: ['Failed', 'Container main for pod default/pi-x failed with exit code 42 matching FailJob rule at index 0'],
      events: ['Warning PodFailurePolicy: Container main for pod default/pi-x failed with exit code 42 matching FailJob rule at index 0'],
      failed: 1,
      create: 0,
    },
  },
  'pod failure policy Ignore does not count the failure but still backs off': {
    given: {
      job: pfpJob,
      status: started({ active: 1 }),
      pods: [
        pod({
          job: pfpJob,
          uid: 'ev',
          phase: 'Failed',
          exitCode: 137,
          finishedAt: NOW - 1000,
          conditions: [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: NOW - 1000 }],
        }),
      ],
    },
    want: { failed: 0, finalize: ['ev'], create: 0, requeueAfterMs: 9000 },
  },
  'pod failure policy: unmatched failure counts toward backoffLimit': {
    given: { job: pfpJob, status: started({ active: 1 }), pods: [pod({ job: pfpJob, phase: 'Failed', exitCode: 3, finishedAt: at(0) })] },
    want: { failed: 1, create: 1, conditions: [] },
  },
  'backoffLimitPerIndex: failed index is retried with its failure count': {
    given: {
      job: perIndexJob,
      status: started({ failedIndexes: '' }),
      pods: [pod({ job: perIndexJob, uid: 'i0', index: 0, phase: 'Failed', finishedAt: at(0), annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } }), pod({ job: perIndexJob, index: 1 })],
    },
    want: { create: [{ index: 0, annotations: { [JOB_INDEX_FAILURE_COUNT]: '1' } }], finalize: [], failed: 0, failedIndexes: '' },
    settlesLater: true,
  },
  'backoffLimitPerIndex: failed pod is counted once its replacement exists': {
    given: {
      job: perIndexJob,
      status: started({ failedIndexes: '', active: 2, ready: 2 }),
      pods: [
        pod({ job: perIndexJob, uid: 'i0', index: 0, phase: 'Failed', finishedAt: at(0), annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } }),
        pod({ job: perIndexJob, index: 0, annotations: { [JOB_INDEX_FAILURE_COUNT]: '1' } }),
        pod({ job: perIndexJob, index: 1 }),
      ],
    },
    want: { create: 0, finalize: ['i0'], failed: 1, failedIndexes: '' },
  },
  'backoffLimitPerIndex: index fails after its retries': {
    given: {
      job: perIndexJob,
      status: started({ failedIndexes: '' }),
      pods: [pod({ job: perIndexJob, uid: 'i0', index: 0, phase: 'Failed', finishedAt: at(0), annotations: { [JOB_INDEX_FAILURE_COUNT]: '1' } }), pod({ job: perIndexJob, index: 1 })],
    },
    want: { create: 0, finalize: ['i0'], failed: 1, failedIndexes: '0', conditions: [] },
  },
  'backoffLimitPerIndex: maxFailedIndexes exceeded fails the job': {
    given: {
      job: indexedJob(2, 2, { spec: { backoffLimitPerIndex: 0, maxFailedIndexes: 0, backoffLimit: 2147483647 } }),
      status: started({ failedIndexes: '' }),
      pods: [pod({ uid: 'i0', index: 0, phase: 'Failed', annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } }), pod({ uid: 'i1', index: 1 })],
    },
    want: {
      conditions: ['FailureTarget=True/MaxFailedIndexesExceeded'],
      delete: [{ uid: 'i1', removeFinalizer: false, reason: 'JobFinished' }],
      failedIndexes: '0',
      failed: 2,
    },
  },
  'backoffLimitPerIndex: every index ended with some failed': {
    given: {
      job: indexedJob(2, 2, { spec: { backoffLimitPerIndex: 0, backoffLimit: 2147483647 } }),
      status: started({ failedIndexes: '' }),
      pods: [pod({ index: 0, phase: 'Failed', annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } }), pod({ index: 1, phase: 'Succeeded' })],
    },
    want: {
      conditions: ['FailureTarget=True/FailedIndexes', 'Failed=True/FailedIndexes'],
      events: ['Warning FailedIndexes: Job has failed indexes'],
      failedIndexes: '0',
      completedIndexes: '1',
      succeeded: 1,
    },
  },
  'backoffLimitPerIndex: back-off delays only that index': {
    given: {
      job: perIndexJob,
      status: started({ failedIndexes: '' }),
      pods: [pod({ job: perIndexJob, index: 0, phase: 'Failed', finishedAt: NOW - 4000, annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } })],
    },
    want: { create: [{ index: 1, annotations: { [JOB_INDEX_FAILURE_COUNT]: '0' } }], requeueAfterMs: 6000 },
    settlesLater: true,
  },
  'success policy ends the job early': {
    given: {
      job: successPolicyJob,
      status: started({ active: 3 }),
      pods: [pod({ uid: 'i0', index: 0, phase: 'Succeeded' }), pod({ uid: 'i1', index: 1 }), pod({ uid: 'i2', index: 2 })],
    },
    want: {
      conditions: ['SuccessCriteriaMet=True/SuccessPolicy'],
      conditionMessage: ['SuccessCriteriaMet', 'Matched rules at index 0'],
      delete: [
        { uid: 'i1', removeFinalizer: false, reason: 'JobFinished' },
        { uid: 'i2', removeFinalizer: false, reason: 'JobFinished' },
      ],
      finalize: ['i0', 'i1', 'i2'],
      failed: 0,
      succeeded: 1,
      terminating: 2,
      events: [],
    },
  },
  'success policy: Complete once lingering pods ended': {
    given: {
      job: successPolicyJob,
      status: started({ succeeded: 1, completedIndexes: '0', terminating: 2, conditions: [cond('SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0')] }),
      pods: [pod({ index: 0, phase: 'Succeeded', finalizer: false })],
    },
    want: {
      conditions: ['SuccessCriteriaMet=True/SuccessPolicy', 'Complete=True/SuccessPolicy'],
      conditionMessage: ['Complete', 'Matched rules at index 0'],
      completionTime: NOW,
      events: ['Normal Completed: Job completed'],
    },
  },
};

function optionsOf(given: Given): ReconcileOptions {
  return { ...DEFAULT_RECONCILE_OPTIONS, ...given.options };
}

function run(given: Given): Plan {
  return reconcileJob({ job: given.job, status: given.status ?? status(), pods: given.pods ?? [], options: optionsOf(given) }, given.now ?? NOW);
}

const sortUids = (uids: readonly string[]) => [...uids].sort();
const sortDeletes = (ds: readonly PodDelete[]) => [...ds].sort((a, b) => a.uid.localeCompare(b.uid));

describe('reconcileJob', () => {
  it('has at least 40 named cases', () => {
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, { given, want }] of Object.entries(cases)) {
    it(name, () => {
      const before = structuredClone(given.status ?? status());
      const plan = run(given);
      const s = plan.status;
      if (typeof want.create === 'number') expect(plan.create).toHaveLength(want.create);
      else if (want.create !== undefined) expect(plan.create).toEqual(want.create);
      if (want.delete !== undefined) expect(sortDeletes(plan.delete)).toEqual(sortDeletes(want.delete));
      if (want.deleteCount !== undefined) expect(plan.delete).toHaveLength(want.deleteCount);
      if (want.finalize !== undefined) expect(sortUids(plan.finalize)).toEqual(sortUids(want.finalize));
      for (const key of ['active', 'ready', 'terminating', 'succeeded', 'failed', 'completedIndexes', 'failedIndexes'] as const) {
        if (want[key] !== undefined) expect(s[key], key).toBe(want[key]);
      }
      if ('startTime' in want) expect(s.startTime).toBe(want.startTime);
      if ('completionTime' in want) expect(s.completionTime).toBe(want.completionTime);
      if (want.conditions !== undefined) {
        expect(s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(want.conditions);
      }
      if (want.conditionMessage !== undefined) {
        const [type, message] = want.conditionMessage;
        expect(s.conditions.find((c) => c.type === type)?.message).toBe(message);
      }
      if (want.events !== undefined) expect(plan.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual(want.events);
      if ('requeueAfterMs' in want) expect(plan.requeueAfterMs).toBe(want.requeueAfterMs);
      if (want.statusChanged !== undefined) expect(plan.statusChanged).toBe(want.statusChanged);
      if (want.removeJob !== undefined) expect(plan.removeJob).toBe(want.removeJob);
      if (want.ttlExpired !== undefined) expect(plan.ttlExpired).toBe(want.ttlExpired);
      // Deletions and creations never share a plan, and the input is never mutated.
      expect(plan.create.length === 0 || plan.delete.length === 0).toBe(true);
      expect(given.status ?? status()).toEqual(before);
      // Invariants Kubernetes' status validation enforces.
      expect(s.ready).toBeLessThanOrEqual(s.active);
      const finishedOk = s.conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (finishedOk) expect([s.active, s.ready, s.terminating]).toEqual([0, 0, 0]);
    });
  }
});

/** What the daemon does with a plan, in memory. */
function apply(given: Given, plan: Plan, now: Millis): Given {
  const deletes = new Map(plan.delete.map((d) => [d.uid, d]));
  const finalize = new Set(plan.finalize);
  const pods = (given.pods ?? []).map((p) => {
    const next = structuredClone(p);
    const d = deletes.get(p.uid);
    if (d !== undefined) {
      next.deletionTimestamp = now;
      next.deletionGracePeriodSeconds = p.spec.terminationGracePeriodSeconds;
      if (d.removeFinalizer) next.trackingFinalizer = false;
    }
    if (finalize.has(p.uid)) next.trackingFinalizer = false;
    return next;
  });
  plan.create.forEach((c, i) => {
    pods.push(buildPod(given.job, c, { uid: `created-${i}`, name: generatePodName(given.job, c.index, `x${i}`.padEnd(5, 'b')) }, now));
  });
  return { ...given, status: plan.status, pods: pods.filter((p) => !isPodGone(p)) };
}

describe('reconciling the outcome again', () => {
  for (const [name, { given, settlesLater }] of Object.entries(cases)) {
    if (settlesLater === true) continue;
    it(`${name}: a second pass changes nothing`, () => {
      const now = given.now ?? NOW;
      const first = run(given);
      const afterFirst = apply(given, first, now);
      const second = run(afterFirst);
      expect(second.create).toEqual([]);
      expect(second.delete).toEqual([]);
      expect(second.finalize).toEqual([]);
      expect(second.events).toEqual([]);
      expect(second.statusChanged).toBe(false);
      expect(second.status).toEqual(first.status);
      expect(second.removeJob).toBe(first.removeJob);
      expect(second.ttlExpired).toBe(first.ttlExpired);
    });
  }

  it('a plan without pod actions is a fixed point even with the pods unchanged', () => {
    let checked = 0;
    for (const { given } of Object.values(cases)) {
      const first = run(given);
      if (first.create.length + first.delete.length + first.finalize.length > 0) continue;
      const second = run({ ...given, status: first.status });
      expect(second.statusChanged).toBe(false);
      expect(second.events).toEqual([]);
      expect(second.create.length + second.delete.length + second.finalize.length).toBe(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
