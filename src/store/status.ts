import type { JobCondition, JobStatus } from '../api/types.js';
import type { Db } from './db.js';
import { opt, stmt } from './statements.js';

interface StatusRow {
  start_time: number | null;
  completion_time: number | null;
  active: number;
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  completed_indexes: string;
  failed_indexes: string | null;
}

interface ConditionRow {
  type: JobCondition['type'];
  status: JobCondition['status'];
  reason: string;
  message: string;
  last_probe_time: number;
  last_transition_time: number;
}

export function emptyStatus(): JobStatus {
  return { conditions: [], active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, completedIndexes: '' };
}

function toCondition(c: ConditionRow): JobCondition {
  return {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    lastProbeTime: c.last_probe_time,
    lastTransitionTime: c.last_transition_time,
  };
}

export function getJobStatus(db: Db, jobUid: string): JobStatus | undefined {
  const r = stmt(db, 'SELECT * FROM job_status WHERE job_uid = ?').get(jobUid) as StatusRow | undefined;
  if (r === undefined) return undefined;
  const conditions = (stmt(db, 'SELECT * FROM job_conditions WHERE job_uid = ? ORDER BY seq').all(jobUid) as ConditionRow[]).map(toCondition);
  return toStatus(r, conditions);
}

/** Every Job's status in two queries, for listings (a point query per Job costs more at 10,000 Jobs). */
export function listJobStatuses(db: Db): Map<string, JobStatus> {
  const conditions = new Map<string, JobCondition[]>();
  // Conditions are rewritten whole and in order, so rowid order is seq order within a Job.
  for (const c of stmt(db, 'SELECT * FROM job_conditions ORDER BY rowid').all() as (ConditionRow & { job_uid: string })[]) {
    let list = conditions.get(c.job_uid);
    if (list === undefined) conditions.set(c.job_uid, (list = []));
    list.push(toCondition(c));
  }
  const out = new Map<string, JobStatus>();
  for (const r of stmt(db, 'SELECT * FROM job_status').all() as (StatusRow & { job_uid: string })[]) {
    out.set(r.job_uid, toStatus(r, conditions.get(r.job_uid) ?? []));
  }
  return out;
}

function toStatus(r: StatusRow, conditions: JobCondition[]): JobStatus {
  const status: JobStatus = {
    conditions,
    active: r.active,
    ready: r.ready,
    terminating: r.terminating,
    succeeded: r.succeeded,
    failed: r.failed,
    completedIndexes: r.completed_indexes,
  };
  const start = opt(r.start_time);
  if (start !== undefined) status.startTime = start;
  const completion = opt(r.completion_time);
  if (completion !== undefined) status.completionTime = completion;
  if (r.failed_indexes !== null) status.failedIndexes = r.failed_indexes;
  return status;
}

/** `Type=Status` pairs in condition order, as migration 5 backfills them: what a listing reads instead of the conditions. */
export function conditionSummary(conditions: readonly Pick<JobCondition, 'type' | 'status'>[]): string {
  return conditions.map((c) => `${c.type}=${c.status}`).join(',');
}

export function isFinished(status: JobStatus): boolean {
  return status.conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** Writes the whole status; the caller wraps it in the pass's transaction. */
export function putJobStatus(db: Db, jobUid: string, status: JobStatus): void {
  stmt(
    db,
    `INSERT INTO job_status (job_uid, start_time, completion_time, active, ready, terminating, succeeded, failed,
       completed_indexes, failed_indexes, finished, condition_summary)
     VALUES (@uid, @start, @completion, @active, @ready, @terminating, @succeeded, @failed, @completed, @failedIdx, @finished, @conditions)
     ON CONFLICT (job_uid) DO UPDATE SET start_time = excluded.start_time, completion_time = excluded.completion_time,
       active = excluded.active, ready = excluded.ready, terminating = excluded.terminating,
       succeeded = excluded.succeeded, failed = excluded.failed, completed_indexes = excluded.completed_indexes,
       failed_indexes = excluded.failed_indexes, finished = excluded.finished, condition_summary = excluded.condition_summary`,
  ).run({
    uid: jobUid,
    start: status.startTime ?? null,
    completion: status.completionTime ?? null,
    active: status.active,
    ready: status.ready,
    terminating: status.terminating,
    succeeded: status.succeeded,
    failed: status.failed,
    completed: status.completedIndexes,
    failedIdx: status.failedIndexes ?? null,
    finished: isFinished(status) ? 1 : 0,
    conditions: conditionSummary(status.conditions),
  });
  stmt(db, 'DELETE FROM job_conditions WHERE job_uid = ?').run(jobUid);
  const insert = stmt(
    db,
    `INSERT INTO job_conditions (job_uid, seq, type, status, reason, message, last_probe_time, last_transition_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  status.conditions.forEach((c, i) =>
    insert.run(jobUid, i, c.type, c.status, c.reason, c.message, c.lastProbeTime, c.lastTransitionTime),
  );
}
