// batch/v1 CronJob as gitjobs holds it. Times are epoch milliseconds, as for Jobs.
import type { JobOrigin, JobSpec, Labels, Millis } from './types.js';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';
export const CONCURRENCY_POLICIES: readonly ConcurrencyPolicy[] = ['Allow', 'Forbid', 'Replace'];

/** `spec.jobTemplate`, defaulted: what every Job the CronJob makes starts from. */
export interface JobTemplate {
  labels: Labels;
  annotations: Labels;
  spec: JobSpec;
}

/** A CronJobSpec with Kubernetes' defaults applied. */
export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy: ConcurrencyPolicy;
  suspend: boolean;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
  jobTemplate: JobTemplate;
}

export interface CronJob {
  uid: string;
  namespace: string;
  name: string;
  labels: Labels;
  annotations: Labels;
  creationTimestamp: Millis;
  deletionTimestamp?: Millis;
  /** Set with a deletion: what happens to the CronJob's Jobs. */
  deletionCascade?: 'background' | 'foreground' | 'orphan';
  generation: number;
  spec: CronJobSpec;
  origin: JobOrigin;
  /** The spec as the source last applied it, so a CLI patch (suspend) survives rescans until the manifest changes. */
  appliedSpec?: CronJobSpec;
}

export interface JobReference {
  namespace: string;
  name: string;
  uid: string;
}

/** Written by the CronJob controller only. */
export interface CronJobStatus {
  active: JobReference[];
  lastScheduleTime?: Millis;
  lastSuccessfulTime?: Millis;
}

export const CRONJOB_CONTROLLER = 'cronjob-controller';
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
export const INSTANTIATE_ANNOTATION = 'cronjob.kubernetes.io/instantiate';
/** The controller appends `-<unix minutes>`: a Job name (63) less 11. */
export const MAX_CRONJOB_NAME = 52;

export const emptyCronJobStatus = (): CronJobStatus => ({ active: [] });
