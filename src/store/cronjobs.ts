import type { CronJob, CronJobStatus } from '../api/cronjob.js';
import type { Db } from './db.js';
import { json, stmt } from './statements.js';

export interface CronJobRow {
  uid: string;
  namespace: string;
  name: string;
  labels_json: string;
  annotations_json: string;
  spec_json: string;
  applied_spec_json: string | null;
  generation: number;
  created_at: number;
  deleted_at: number | null;
  deletion_cascade: string | null;
  origin_kind: string;
  origin_source: string;
  origin_path: string | null;
  origin_line: number | null;
  origin_revision: string | null;
  origin_commit_json: string | null;
}

export function toCronJob(r: CronJobRow): CronJob {
  const c: CronJob = {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    labels: json(r.labels_json, {}),
    annotations: json(r.annotations_json, {}),
    creationTimestamp: r.created_at,
    generation: r.generation,
    spec: JSON.parse(r.spec_json) as CronJob['spec'],
    origin: { kind: r.origin_kind as CronJob['origin']['kind'], source: r.origin_source },
  };
  if (r.applied_spec_json !== null) c.appliedSpec = JSON.parse(r.applied_spec_json) as CronJob['spec'];
  if (r.deleted_at !== null) c.deletionTimestamp = r.deleted_at;
  if (r.deletion_cascade !== null) c.deletionCascade = r.deletion_cascade as NonNullable<CronJob['deletionCascade']>;
  if (r.origin_path !== null) c.origin.path = r.origin_path;
  if (r.origin_line !== null) c.origin.line = r.origin_line;
  if (r.origin_revision !== null) c.origin.revision = r.origin_revision;
  if (r.origin_commit_json !== null) c.origin.commit = JSON.parse(r.origin_commit_json) as NonNullable<CronJob['origin']['commit']>;
  return c;
}

function params(c: CronJob): Record<string, unknown> {
  return {
    uid: c.uid,
    namespace: c.namespace,
    name: c.name,
    labels: JSON.stringify(c.labels),
    annotations: JSON.stringify(c.annotations),
    spec: JSON.stringify(c.spec),
    appliedSpec: c.appliedSpec === undefined ? null : JSON.stringify(c.appliedSpec),
    generation: c.generation,
    created: c.creationTimestamp,
    deleted: c.deletionTimestamp ?? null,
    cascade: c.deletionCascade ?? null,
    originKind: c.origin.kind,
    originSource: c.origin.source,
    originPath: c.origin.path ?? null,
    originLine: c.origin.line ?? null,
    originRevision: c.origin.revision ?? null,
    originCommit: c.origin.commit === undefined ? null : JSON.stringify(c.origin.commit),
  };
}

export function insertCronJob(db: Db, c: CronJob): void {
  stmt(
    db,
    `INSERT INTO cronjobs (uid, namespace, name, labels_json, annotations_json, spec_json, applied_spec_json, generation,
       created_at, deleted_at, deletion_cascade, origin_kind, origin_source, origin_path, origin_line, origin_revision, origin_commit_json)
     VALUES (@uid, @namespace, @name, @labels, @annotations, @spec, @appliedSpec, @generation,
       @created, @deleted, @cascade, @originKind, @originSource, @originPath, @originLine, @originRevision, @originCommit)`,
  ).run(params(c));
}

export function updateCronJob(db: Db, c: CronJob): void {
  stmt(
    db,
    `UPDATE cronjobs SET labels_json = @labels, annotations_json = @annotations, spec_json = @spec,
       applied_spec_json = @appliedSpec, generation = @generation, deleted_at = @deleted, deletion_cascade = @cascade,
       origin_kind = @originKind, origin_source = @originSource, origin_path = @originPath, origin_line = @originLine,
       origin_revision = @originRevision, origin_commit_json = @originCommit
     WHERE uid = @uid`,
  ).run(params(c));
}

/** Asks for the CronJob's deletion; the controller finishes it. The first request's cascade stands. */
export function markCronJobDeleted(db: Db, uid: string, now: number, cascade: NonNullable<CronJob['deletionCascade']>): void {
  stmt(db, 'UPDATE cronjobs SET deletion_cascade = coalesce(deletion_cascade, ?), deleted_at = coalesce(deleted_at, ?) WHERE uid = ?').run(
    cascade,
    now,
    uid,
  );
}

export function removeCronJob(db: Db, uid: string): void {
  stmt(db, 'DELETE FROM cronjobs WHERE uid = ?').run(uid);
}

export function getCronJob(db: Db, uid: string): CronJob | undefined {
  const r = stmt(db, 'SELECT * FROM cronjobs WHERE uid = ?').get(uid) as CronJobRow | undefined;
  return r === undefined ? undefined : toCronJob(r);
}

export function getCronJobByName(db: Db, namespace: string, name: string): CronJob | undefined {
  const r = stmt(db, 'SELECT * FROM cronjobs WHERE namespace = ? AND name = ?').get(namespace, name) as CronJobRow | undefined;
  return r === undefined ? undefined : toCronJob(r);
}

export function listCronJobs(db: Db, namespace?: string): CronJob[] {
  const rows = (
    namespace === undefined
      ? stmt(db, 'SELECT * FROM cronjobs ORDER BY namespace, name').all()
      : stmt(db, 'SELECT * FROM cronjobs WHERE namespace = ? ORDER BY name').all(namespace)
  ) as CronJobRow[];
  return rows.map(toCronJob);
}

export function listCronJobsBySource(db: Db, source: string): CronJob[] {
  return (stmt(db, 'SELECT * FROM cronjobs WHERE origin_source = ?').all(source) as CronJobRow[]).map(toCronJob);
}

export function listCronJobUids(db: Db): string[] {
  return (stmt(db, 'SELECT uid FROM cronjobs').all() as { uid: string }[]).map((r) => r.uid);
}

interface StatusRow {
  active_json: string;
  last_schedule_time: number | null;
  last_successful_time: number | null;
}

export function getCronJobStatus(db: Db, uid: string): CronJobStatus | undefined {
  const r = stmt(db, 'SELECT * FROM cronjob_status WHERE cronjob_uid = ?').get(uid) as StatusRow | undefined;
  if (r === undefined) return undefined;
  const s: CronJobStatus = { active: json(r.active_json, []) };
  if (r.last_schedule_time !== null) s.lastScheduleTime = r.last_schedule_time;
  if (r.last_successful_time !== null) s.lastSuccessfulTime = r.last_successful_time;
  return s;
}

/** Every CronJob's status in one query, for listings. */
export function listCronJobStatuses(db: Db): Map<string, CronJobStatus> {
  const rows = stmt(db, 'SELECT * FROM cronjob_status').all() as (StatusRow & { cronjob_uid: string })[];
  const out = new Map<string, CronJobStatus>();
  for (const r of rows) {
    const s: CronJobStatus = { active: json(r.active_json, []) };
    if (r.last_schedule_time !== null) s.lastScheduleTime = r.last_schedule_time;
    if (r.last_successful_time !== null) s.lastSuccessfulTime = r.last_successful_time;
    out.set(r.cronjob_uid, s);
  }
  return out;
}

export function putCronJobStatus(db: Db, uid: string, s: CronJobStatus): void {
  stmt(
    db,
    `INSERT INTO cronjob_status (cronjob_uid, active_json, last_schedule_time, last_successful_time) VALUES (?, ?, ?, ?)
     ON CONFLICT (cronjob_uid) DO UPDATE SET active_json = excluded.active_json,
       last_schedule_time = excluded.last_schedule_time, last_successful_time = excluded.last_successful_time`,
  ).run(uid, JSON.stringify(s.active), s.lastScheduleTime ?? null, s.lastSuccessfulTime ?? null);
}
