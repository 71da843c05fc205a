// The output of one reconcile pass: what to do to pods and what to write as
// the Job's status. The pure core decides; the daemon applies it.
import type { JobStatus } from '../api/types.js';

export interface ReconcileOptions {
  /** Delay after the first pod failure; Kubernetes uses 10s. */
  podBackoffBaseMs: number;
  /** Ceiling of the doubling delay; Kubernetes caps at 10 min (60 × base). */
  podBackoffMaxMs: number;
  /** Kubernetes creates or deletes at most 500 pods per sync. */
  maxPodCreateDeletePerSync: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  podBackoffBaseMs: 10_000,
  podBackoffMaxMs: 600_000,
  maxPodCreateDeletePerSync: 500,
};

/** The defaults with another back-off base, the ceiling keeping its ratio (Kubernetes' 10 s → 10 min). */
export function reconcileOptionsWithBackoff(podBackoffBaseMs: number): ReconcileOptions {
  const d = DEFAULT_RECONCILE_OPTIONS;
  return { ...d, podBackoffBaseMs, podBackoffMaxMs: podBackoffBaseMs * (d.podBackoffMaxMs / d.podBackoffBaseMs) };
}

export interface PodCreate {
  /** Completion index, for Indexed Jobs. */
  index?: number;
  /** Extra annotations, e.g. batch.kubernetes.io/job-index-failure-count. */
  annotations?: Record<string, string>;
}

export type PodDeleteReason = 'Excess' | 'JobFinished' | 'Suspended' | 'JobDeleted';

export interface PodDelete {
  uid: string;
  /** true: drop the tracking finalizer first so the pod is not counted (suspend, excess, job deletion). */
  removeFinalizer: boolean;
  reason: PodDeleteReason;
}

export interface EventDraft {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Plan {
  /** Never together with `delete` in one plan, as in Kubernetes' manageJob. */
  create: PodCreate[];
  delete: PodDelete[];
  /**
   * Pods whose tracking finalizer is removed in the same transaction that
   * writes `status`: their outcome is now in the counters, or deliberately dropped.
   */
  finalize: string[];
  /** A fresh object; the input status is never mutated. */
  status: JobStatus;
  statusChanged: boolean;
  /** Job-level events; pod-level SuccessfulCreate/SuccessfulDelete are the applier's. */
  events: EventDraft[];
  /** When to reconcile again even if nothing else happens. */
  requeueAfterMs?: number;
  /** The Job is being deleted and none of its pods is left running. */
  removeJob: boolean;
  /** ttlSecondsAfterFinished has expired: delete the Job, its pods first (foreground). */
  ttlExpired: boolean;
}
