import type { Db } from './db.js';
import { oldestResumableVersion } from './changes.js';
import { stmt } from './statements.js';

/** What the kube-state-metrics Job series need of one Job, read in one query for all. */
export interface JobMetricRow {
  uid: string;
  namespace: string;
  name: string;
  labelsJson: string;
  createdAt: number;
  completions: number | null;
  parallelism: number | null;
  activeDeadlineSeconds: number | null;
  active: number;
  ready: number;
  succeeded: number;
  failed: number;
  startTime: number | null;
  completionTime: number | null;
  /** `Type=Status` pairs in condition order (schema 5's condition summary). */
  conditions: string;
  /** The reason of the Failed condition, when there is one. */
  failedReason: string | null;
  /** The CronJob that made the Job, if one did. */
  ownerCronJob: string | null;
}

const JOB_METRICS_COLUMNS = `
  SELECT j.uid, j.namespace, j.name, j.labels_json, j.created_at, j.completions, j.parallelism,
         s.active, s.ready, s.succeeded, s.failed, s.start_time, s.completion_time, s.condition_summary,
         CASE WHEN s.condition_summary LIKE '%Failed=%'
           THEN (SELECT c.reason FROM job_conditions c WHERE c.job_uid = j.uid AND c.type = 'Failed') END,
         json_extract(j.spec_json, '$.activeDeadlineSeconds'), j.owner_name
  FROM jobs j LEFT JOIN job_status s ON s.job_uid = j.uid`;

/**
 * Jobs with their status counters and condition summary, in one statement:
 * every Job, or those of `uids`. The Failed condition's reason is looked up
 * only for Jobs that have one.
 */
export function listJobMetricRows(db: Db, uids?: readonly string[]): JobMetricRow[] {
  const q = stmt(db, uids === undefined ? JOB_METRICS_COLUMNS : `${JOB_METRICS_COLUMNS} WHERE j.uid IN (SELECT value FROM json_each(?))`).raw(true);
  const rows = (uids === undefined ? q.all() : q.all(JSON.stringify(uids))) as unknown[][];
  q.raw(false);
  const out = new Array<JobMetricRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out[i] = {
      uid: r[0] as string,
      namespace: r[1] as string,
      name: r[2] as string,
      labelsJson: r[3] as string,
      createdAt: r[4] as number,
      completions: r[5] as number | null,
      parallelism: r[6] as number | null,
      activeDeadlineSeconds: r[15] as number | null,
      ownerCronJob: r[16] as string | null,
      active: (r[7] as number | null) ?? 0,
      ready: (r[8] as number | null) ?? 0,
      succeeded: (r[9] as number | null) ?? 0,
      failed: (r[10] as number | null) ?? 0,
      startTime: r[11] as number | null,
      completionTime: r[12] as number | null,
      conditions: (r[13] as string | null) ?? '',
      failedReason: r[14] as string | null,
    };
  }
  return out;
}

/** What the kube-state-metrics CronJob series need of one CronJob. */
export interface CronJobMetricRow {
  uid: string;
  namespace: string;
  name: string;
  labelsJson: string;
  createdAt: number;
  schedule: string;
  timeZone: string | null;
  concurrencyPolicy: string;
  suspend: boolean;
  startingDeadlineSeconds: number | null;
  successfulJobsHistoryLimit: number | null;
  failedJobsHistoryLimit: number | null;
  lastScheduleTime: number | null;
  lastSuccessfulTime: number | null;
  active: number;
}

const CRONJOB_METRICS_SQL = `
  SELECT c.uid, c.namespace, c.name, c.labels_json, c.created_at,
         json_extract(c.spec_json, '$.schedule'), json_extract(c.spec_json, '$.timeZone'),
         coalesce(json_extract(c.spec_json, '$.concurrencyPolicy'), 'Allow'), coalesce(json_extract(c.spec_json, '$.suspend'), 0),
         json_extract(c.spec_json, '$.startingDeadlineSeconds'), json_extract(c.spec_json, '$.successfulJobsHistoryLimit'),
         json_extract(c.spec_json, '$.failedJobsHistoryLimit'),
         s.last_schedule_time, s.last_successful_time, coalesce(json_array_length(s.active_json), 0)
  FROM cronjobs c LEFT JOIN cronjob_status s ON s.cronjob_uid = c.uid`;

/** Every CronJob with its status, in one statement. CronJobs are few: they are read whole at every scrape. */
export function listCronJobMetricRows(db: Db): CronJobMetricRow[] {
  const q = stmt(db, CRONJOB_METRICS_SQL).raw(true);
  const rows = q.all() as unknown[][];
  q.raw(false);
  return rows.map((r) => ({
    uid: r[0] as string,
    namespace: r[1] as string,
    name: r[2] as string,
    labelsJson: r[3] as string,
    createdAt: r[4] as number,
    schedule: (r[5] as string | null) ?? '',
    timeZone: r[6] as string | null,
    concurrencyPolicy: r[7] as string,
    suspend: r[8] === 1,
    startingDeadlineSeconds: r[9] as number | null,
    successfulJobsHistoryLimit: r[10] as number | null,
    failedJobsHistoryLimit: r[11] as number | null,
    lastScheduleTime: r[12] as number | null,
    lastSuccessfulTime: r[13] as number | null,
    active: r[14] as number,
  }));
}

/**
 * Uids of the Jobs changed (status and conditions included) after
 * resourceVersion `rv`, from the change log; undefined when the log no longer
 * reaches back that far, or more than `limit` changed: read them all then.
 */
export function jobsChangedSince(db: Db, rv: number, limit: number): string[] | undefined {
  if (rv < oldestResumableVersion(db)) return undefined;
  const rows = stmt(db, "SELECT DISTINCT uid FROM changes WHERE rv > ? AND kind = 'jobs' LIMIT ?").raw(true).all(rv, limit + 1) as [string][];
  return rows.length > limit ? undefined : rows.map((r) => r[0]);
}
