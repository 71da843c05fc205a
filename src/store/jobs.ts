import type { Job, JobCondition, JobStatus } from '../api/types.js';
import type { Db } from './db.js';
import { json, opt, stmt } from './statements.js';

interface JobRow {
  uid: string;
  namespace: string;
  name: string;
  labels_json: string;
  annotations_json: string;
  spec_json: string;
  spec_hash: string;
  generation: number;
  created_at: number;
  deleted_at: number | null;
  origin_kind: string;
  origin_source: string;
  origin_path: string | null;
  origin_line: number | null;
  origin_revision: string | null;
  applied_spec_json: string | null;
  origin_commit_json: string | null;
}

function toJob(r: JobRow): Job {
  const job: Job = {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    labels: json(r.labels_json, {}),
    annotations: json(r.annotations_json, {}),
    creationTimestamp: r.created_at,
    generation: r.generation,
    spec: json(r.spec_json, {} as Job['spec']),
    specHash: r.spec_hash,
    origin: { kind: r.origin_kind as Job['origin']['kind'], source: r.origin_source },
  };
  if (r.deleted_at !== null) job.deletionTimestamp = r.deleted_at;
  if (r.origin_path !== null) job.origin.path = r.origin_path;
  if (r.origin_line !== null) job.origin.line = r.origin_line;
  if (r.origin_revision !== null) job.origin.revision = r.origin_revision;
  if (r.origin_commit_json !== null) job.origin.commit = JSON.parse(r.origin_commit_json) as NonNullable<Job['origin']['commit']>;
  if (r.applied_spec_json !== null) job.appliedSpec = JSON.parse(r.applied_spec_json) as Job['spec'];
  return job;
}

export function insertJob(db: Db, job: Job): void {
  stmt(
    db,
    `INSERT INTO jobs (uid, namespace, name, labels_json, annotations_json, spec_json, spec_hash, generation,
       created_at, deleted_at, origin_kind, origin_source, origin_path, origin_line, origin_revision,
       origin_commit_json, applied_spec_json, completions, parallelism)
     VALUES (@uid, @namespace, @name, @labels, @annotations, @spec, @specHash, @generation,
       @created, @deleted, @originKind, @originSource, @originPath, @originLine, @originRevision,
       @originCommit, @appliedSpec, @completions, @parallelism)`,
  ).run(jobParams(job));
}

/** Rewrites the desired state of a live Job in place (mutable fields, provenance). */
export function updateJob(db: Db, job: Job): void {
  stmt(
    db,
    `UPDATE jobs SET labels_json = @labels, annotations_json = @annotations, spec_json = @spec,
       spec_hash = @specHash, generation = @generation, deleted_at = @deleted, origin_kind = @originKind,
       origin_source = @originSource, origin_path = @originPath, origin_line = @originLine,
       origin_revision = @originRevision, origin_commit_json = @originCommit, applied_spec_json = @appliedSpec,
       completions = @completions, parallelism = @parallelism
     WHERE uid = @uid`,
  ).run(jobParams(job));
}

function jobParams(job: Job): Record<string, unknown> {
  return {
    uid: job.uid,
    namespace: job.namespace,
    name: job.name,
    labels: JSON.stringify(job.labels),
    annotations: JSON.stringify(job.annotations),
    spec: JSON.stringify(job.spec),
    specHash: job.specHash,
    generation: job.generation,
    created: job.creationTimestamp,
    deleted: job.deletionTimestamp ?? null,
    originKind: job.origin.kind,
    originSource: job.origin.source,
    originPath: job.origin.path ?? null,
    originLine: job.origin.line ?? null,
    originRevision: job.origin.revision ?? null,
    originCommit: job.origin.commit === undefined ? null : JSON.stringify(job.origin.commit),
    appliedSpec: job.appliedSpec === undefined ? null : JSON.stringify(job.appliedSpec),
    completions: job.spec.completions ?? null,
    parallelism: job.spec.parallelism,
  };
}

export function markJobDeleted(db: Db, uid: string, now: number): void {
  stmt(db, 'UPDATE jobs SET deleted_at = coalesce(deleted_at, ?) WHERE uid = ?').run(now, uid);
}

export function removeJob(db: Db, uid: string): void {
  stmt(db, 'DELETE FROM jobs WHERE uid = ?').run(uid);
}

export function getJob(db: Db, uid: string): Job | undefined {
  const r = stmt(db, 'SELECT * FROM jobs WHERE uid = ?').get(uid) as JobRow | undefined;
  return r === undefined ? undefined : toJob(r);
}

export function getJobByName(db: Db, namespace: string, name: string): Job | undefined {
  const r = stmt(db, 'SELECT * FROM jobs WHERE namespace = ? AND name = ?').get(namespace, name) as JobRow | undefined;
  return r === undefined ? undefined : toJob(r);
}

export function listJobs(db: Db, namespace?: string): Job[] {
  const rows = (
    namespace === undefined
      ? stmt(db, 'SELECT * FROM jobs ORDER BY namespace, name').all()
      : stmt(db, 'SELECT * FROM jobs WHERE namespace = ? ORDER BY name').all(namespace)
  ) as JobRow[];
  return rows.map(toJob);
}

export function listJobsBySource(db: Db, source: string): Job[] {
  return (stmt(db, 'SELECT * FROM jobs WHERE origin_source = ?').all(source) as JobRow[]).map(toJob);
}

/** Keys of Jobs that still need the controller: unfinished, or being deleted, or with a TTL. */
export function listJobUidsNeedingSync(db: Db): string[] {
  return (
    stmt(
      db,
      `SELECT j.uid FROM jobs j LEFT JOIN job_status s ON s.job_uid = j.uid
       WHERE s.job_uid IS NULL OR s.finished = 0 OR j.deleted_at IS NOT NULL
          OR json_extract(j.spec_json, '$.ttlSecondsAfterFinished') IS NOT NULL`,
    ).all() as { uid: string }[]
  ).map((r) => r.uid);
}

export { opt };

/**
 * Jobs and their status with only what `get jobs` prints, in one query over a
 * covering index: at 10,000 Jobs, reading each wide row (the whole spec) costs
 * more than the listing itself.
 */
export function listJobRows(db: Db, namespace?: string, opts: { labels?: boolean } = {}): { job: Job; status: JobStatus | undefined }[] {
  const sql = `SELECT j.uid, j.namespace, j.name, j.labels_json, j.created_at, j.deleted_at, j.completions, j.parallelism,
      s.job_uid, s.start_time, s.completion_time, s.active, s.ready, s.terminating, s.succeeded, s.failed,
      (SELECT group_concat(c.type || '=' || c.status, ',') FROM job_conditions c WHERE c.job_uid = j.uid)
    FROM jobs j INDEXED BY jobs_listing LEFT JOIN job_status s ON s.job_uid = j.uid
    ${namespace === undefined ? '' : 'WHERE j.namespace = ?'} ORDER BY j.namespace, j.name`;
  const q = stmt(db, sql).raw(true);
  const rows = (namespace === undefined ? q.all() : q.all(namespace)) as unknown[][];
  q.raw(false);
  return rows.map((r) => {
    const [uid, ns, name, labels, created, deleted, completions, parallelism, statusUid, start, completion, active, ready, terminating, succeeded, failed, conds] =
      r as [string, string, string, string, number, number | null, number | null, number, string | null, number | null, number | null, number, number, number, number, number, string | null];
    const spec = { parallelism } as Job['spec'];
    if (completions !== null) spec.completions = completions;
    const job: Job = {
      uid,
      namespace: ns,
      name,
      // Parsing 10,000 label maps is a visible share of a listing that prints none.
      labels: opts.labels === false ? {} : json(labels, {}),
      annotations: {},
      creationTimestamp: created,
      generation: 0,
      spec,
      specHash: '',
      origin: { kind: 'dir', source: '' },
    };
    if (deleted !== null) job.deletionTimestamp = deleted;
    if (statusUid === null) return { job, status: undefined };
    const status: JobStatus = {
      conditions: (conds ?? '')
        .split(',')
        .filter((c) => c !== '')
        .map((c) => {
          const [type, st] = c.split('=') as [JobCondition['type'], JobCondition['status']];
          return { type, status: st, reason: '', message: '', lastProbeTime: 0, lastTransitionTime: 0 };
        }),
      active,
      ready,
      terminating,
      succeeded,
      failed,
      completedIndexes: '',
    };
    if (start !== null) status.startTime = start;
    if (completion !== null) status.completionTime = completion;
    return { job, status };
  });
}
