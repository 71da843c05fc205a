import type { Job } from '../api/types.js';
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
       origin_commit_json, applied_spec_json)
     VALUES (@uid, @namespace, @name, @labels, @annotations, @spec, @specHash, @generation,
       @created, @deleted, @originKind, @originSource, @originPath, @originLine, @originRevision,
       @originCommit, @appliedSpec)`,
  ).run(jobParams(job));
}

/** Rewrites the desired state of a live Job in place (mutable fields, provenance). */
export function updateJob(db: Db, job: Job): void {
  stmt(
    db,
    `UPDATE jobs SET labels_json = @labels, annotations_json = @annotations, spec_json = @spec,
       spec_hash = @specHash, generation = @generation, deleted_at = @deleted, origin_kind = @originKind,
       origin_source = @originSource, origin_path = @originPath, origin_line = @originLine,
       origin_revision = @originRevision, origin_commit_json = @originCommit, applied_spec_json = @appliedSpec
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
