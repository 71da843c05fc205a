// The pure Job controller: everything the daemon needs to reconcile one Job.
export { reconcileJob, type ReconcileInput } from './job.js';
export {
  DEFAULT_RECONCILE_OPTIONS,
  reconcileOptionsWithBackoff,
  type EventDraft,
  type Plan,
  type PodCreate,
  type PodDelete,
  type PodDeleteReason,
  type ReconcileOptions,
} from './plan.js';
export { buildPod, emptyJobStatus, generatePodName, POD_NAME_ALPHABET } from './pod-template.js';
export { formatIntervals, parseIntervals, unionIntervals, intervalsToString, type Interval } from './intervals.js';
export { statusEquals } from './status.js';
export { claimPods, type Claim } from './claim.js';
