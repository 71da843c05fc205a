import type { Db } from './db.js';
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
  /** Not read by listJobMetricRows (it is in the wide spec): see jobActiveDeadlineSeconds. */
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
}

const JOB_METRICS_SQL = `
  SELECT j.uid, j.namespace, j.name, j.labels_json, j.created_at, j.completions, j.parallelism,
         s.active, s.ready, s.succeeded, s.failed, s.start_time, s.completion_time, s.condition_summary,
         CASE WHEN s.condition_summary LIKE '%Failed=%'
           THEN (SELECT c.reason FROM job_conditions c WHERE c.job_uid = j.uid AND c.type = 'Failed') END
  FROM jobs j INDEXED BY jobs_listing LEFT JOIN job_status s ON s.job_uid = j.uid`;

/**
 * Every Job with its status counters and condition summary, in one
 * statement: the Job columns from the covering index jobs_listing (reading
 * the wide rows, with their specs, would cost more than everything else), the
 * Failed condition's reason by a point lookup only for Jobs that have one.
 */
export function listJobMetricRows(db: Db): JobMetricRow[] {
  const q = stmt(db, JOB_METRICS_SQL).raw(true);
  const rows = q.all() as unknown[][];
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
      activeDeadlineSeconds: null,
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

/** A Job's spec.activeDeadlineSeconds (null: none, or no such Job). */
export function jobActiveDeadlineSeconds(db: Db, uid: string): number | null {
  const r = stmt(db, "SELECT json_extract(spec_json, '$.activeDeadlineSeconds') AS v FROM jobs WHERE uid = ?").get(uid) as { v: number | null } | undefined;
  return r?.v ?? null;
}

/** spec.activeDeadlineSeconds of every Job, by uid. */
export function listActiveDeadlines(db: Db): Map<string, number | null> {
  const rows = stmt(db, "SELECT uid, json_extract(spec_json, '$.activeDeadlineSeconds') FROM jobs").raw(true);
  const out = new Map<string, number | null>();
  for (const r of rows.all() as [string, number | null][]) out.set(r[0], r[1]);
  rows.raw(false);
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

/**
 * CronJobs for their metrics. The CronJob table arrives with schema 8; until
 * a database has it there are none. When it lands this is the one query to
 * write (the series themselves are rendered from these rows already).
 */
export function listCronJobMetricRows(db: Db): CronJobMetricRow[] {
  const has = stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cronjobs'").get();
  if (has === undefined) return [];
  return [];
}

/**
 * A value that changes whenever the database may have: rows this connection
 * changed (total_changes counts autocommitted statements too) and commits by
 * other connections (data_version). Equal values: nothing was written between.
 */
export function storeVersion(db: Db): string {
  const changes = stmt(db, 'SELECT total_changes() AS n').get() as { n: number };
  return `${changes.n}:${db.pragma('data_version', { simple: true }) as number}`;
}
