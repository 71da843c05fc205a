import type { Job, JobStatus } from '../api/types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

/** Why a run started: the GitOps rules name these. */
/**
 * Why a run exists: its name's first run, a changed spec, `gitjobs rerun`, `gitjobs apply`, or a
 * manifest put back (a new commit, or the file again in a folder) with a spec that ran before;
 * `schedule`: made by a CronJob at a scheduled time; `manual`: `create job --from=cronjob/...`.
 */
export type RunTrigger = 'new' | 'spec-change' | 'rerun' | 'apply' | 'commit' | 'manifest' | 'schedule' | 'manual';

export interface Run {
  jobUid: string;
  namespace: string;
  name: string;
  specHash: string;
  source: string;
  path?: string;
  revision?: string;
  trigger: RunTrigger;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  result?: 'Complete' | 'Failed';
  reason?: string;
  deletedAt?: number;
  deletedBy?: string;
  commit?: import('../api/types.js').CommitInfo;
}

interface RunRow {
  job_uid: string;
  namespace: string;
  name: string;
  spec_hash: string;
  origin_source: string;
  origin_path: string | null;
  revision: string | null;
  trigger: RunTrigger;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  result: 'Complete' | 'Failed' | null;
  reason: string | null;
  deleted_at: number | null;
  deleted_by: string | null;
  commit_json: string | null;
}

function toRun(r: RunRow): Run {
  const run: Run = {
    jobUid: r.job_uid,
    namespace: r.namespace,
    name: r.name,
    specHash: r.spec_hash,
    source: r.origin_source,
    trigger: r.trigger,
    createdAt: r.created_at,
  };
  if (r.origin_path !== null) run.path = r.origin_path;
  if (r.revision !== null) run.revision = r.revision;
  if (r.started_at !== null) run.startedAt = r.started_at;
  if (r.finished_at !== null) run.finishedAt = r.finished_at;
  if (r.result !== null) run.result = r.result;
  if (r.reason !== null) run.reason = r.reason;
  if (r.deleted_at !== null) run.deletedAt = r.deleted_at;
  if (r.deleted_by !== null) run.deletedBy = r.deleted_by;
  if (r.commit_json !== null) run.commit = JSON.parse(r.commit_json) as NonNullable<Run['commit']>;
  return run;
}

export function insertRun(db: Db, job: Job, trigger: RunTrigger): void {
  stmt(
    db,
    `INSERT OR IGNORE INTO runs (job_uid, namespace, name, spec_hash, origin_source, origin_path, revision, trigger, created_at, commit_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    job.uid,
    job.namespace,
    job.name,
    job.specHash,
    job.origin.source,
    job.origin.path ?? null,
    job.origin.revision ?? null,
    trigger,
    job.creationTimestamp,
    job.origin.commit === undefined ? null : JSON.stringify(job.origin.commit),
  );
}

/** Mirrors the outcome into the run record, which outlives the Job. */
export function updateRunFromStatus(db: Db, jobUid: string, status: JobStatus): void {
  const terminal = status.conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  stmt(
    db,
    `UPDATE runs SET started_at = coalesce(started_at, ?), finished_at = ?, result = ?, reason = ? WHERE job_uid = ?`,
  ).run(
    status.startTime ?? null,
    terminal?.lastTransitionTime ?? null,
    terminal?.type ?? null,
    terminal?.reason ?? null,
    jobUid,
  );
}

export function markRunDeleted(db: Db, jobUid: string, now: number, by: string): void {
  stmt(db, 'UPDATE runs SET deleted_at = coalesce(deleted_at, ?), deleted_by = coalesce(deleted_by, ?) WHERE job_uid = ?').run(
    now,
    by,
    jobUid,
  );
}

export function findRunsBySpec(db: Db, namespace: string, name: string, specHash: string): Run[] {
  return (
    stmt(db, 'SELECT * FROM runs WHERE namespace = ? AND name = ? AND spec_hash = ? ORDER BY created_at').all(
      namespace,
      name,
      specHash,
    ) as RunRow[]
  ).map(toRun);
}

export function listRuns(db: Db, namespace: string, name: string): Run[] {
  return (
    stmt(db, 'SELECT * FROM runs WHERE namespace = ? AND name = ? ORDER BY created_at').all(namespace, name) as RunRow[]
  ).map(toRun);
}

/** Exit codes of every container run of a Job's pods, in the order they ended. */
export function runExitCodes(db: Db, jobUid: string): number[] {
  return (
    stmt(
      db,
      `SELECT ct.exit_code AS code FROM container_terminations ct JOIN pods p ON p.uid = ct.pod_uid
       WHERE p.owner_uid = ? ORDER BY ct.finished_at, ct.rowid`,
    ).all(jobUid) as { code: number }[]
  ).map((r) => r.code);
}

/** The last container run of a Job's pods that failed, with its log's path: what a failure notification quotes. */
export function lastFailedTermination(db: Db, jobUid: string): { pod: string; container: string; exitCode: number; logPath: string } | undefined {
  const row = stmt(
    db,
    `SELECT p.name AS pod, ct.container AS container, ct.exit_code AS exitCode, ct.log_path AS logPath
     FROM container_terminations ct JOIN pods p ON p.uid = ct.pod_uid
     WHERE p.owner_uid = ? AND ct.exit_code != 0 AND ct.log_path IS NOT NULL AND ct.log_path != ''
     ORDER BY ct.finished_at DESC, ct.rowid DESC LIMIT 1`,
  ).get(jobUid) as { pod: string; container: string; exitCode: number; logPath: string } | undefined;
  return row;
}

/** Why a Job's run started (the runs record's trigger), if it has one. */
export function runTrigger(db: Db, jobUid: string): RunTrigger | undefined {
  const row = stmt(db, 'SELECT trigger FROM runs WHERE job_uid = ?').get(jobUid) as { trigger: RunTrigger } | undefined;
  return row?.trigger;
}
