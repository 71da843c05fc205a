import type { Job, LabelSelector } from '../api/types.js';
import type { Db } from './db.js';
import { json, opt, stmt } from './statements.js';

export interface JobRow {
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
  owner_uid: string | null;
  owner_name: string | null;
}

/** Also builds a deleted Job from the row the change log kept of it. */
export function toJob(r: JobRow): Job {
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
  // A row from before schema 8 (a deleted Job's last form in the change log) has no owner columns.
  if (r.owner_uid !== null && r.owner_uid !== undefined) job.owner = { kind: 'CronJob', uid: r.owner_uid, name: r.owner_name ?? '' };
  return job;
}

export function insertJob(db: Db, job: Job): void {
  // Without an owner the statement names no owner columns, so it also serves a
  // state folder not yet at schema 8 (tests of earlier migrations write one).
  const owner = job.owner === undefined ? '' : ', owner_uid, owner_name';
  const ownerValues = job.owner === undefined ? '' : ', @ownerUid, @ownerName';
  stmt(
    db,
    `INSERT INTO jobs (uid, namespace, name, labels_json, annotations_json, spec_json, spec_hash, generation,
       created_at, deleted_at, origin_kind, origin_source, origin_path, origin_line, origin_revision,
       origin_commit_json, applied_spec_json, completions, parallelism${owner})
     VALUES (@uid, @namespace, @name, @labels, @annotations, @spec, @specHash, @generation,
       @created, @deleted, @originKind, @originSource, @originPath, @originLine, @originRevision,
       @originCommit, @appliedSpec, @completions, @parallelism${ownerValues})`,
  ).run(jobParams(job));
}

/** Rewrites the desired state of a live Job in place (mutable fields, provenance); its owner never changes here. */
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
    ...(job.owner === undefined ? {} : { ownerUid: job.owner.uid, ownerName: job.owner.name }),
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

/** The Jobs a source's manifests define; Jobs its CronJobs made are the CronJobs', not the manifests'. */
export function listJobsBySource(db: Db, source: string): Job[] {
  return (stmt(db, 'SELECT * FROM jobs WHERE origin_source = ? AND owner_uid IS NULL').all(source) as JobRow[]).map(toJob);
}

/** The Jobs a CronJob made and still owns. */
export function listJobsByOwner(db: Db, ownerUid: string): Job[] {
  return (stmt(db, 'SELECT * FROM jobs WHERE owner_uid = ?').all(ownerUid) as JobRow[]).map(toJob);
}

/**
 * Drops the owner reference of a CronJob's Jobs (delete --cascade=orphan).
 * They leave the source's inventory too: no manifest defines them, so they
 * stand alone as if applied, rather than being pruned as missing.
 */
export function releaseJobsOfOwner(db: Db, ownerUid: string, standaloneSource: string): void {
  stmt(db, "UPDATE jobs SET owner_uid = NULL, owner_name = NULL, origin_kind = 'apply', origin_source = ? WHERE owner_uid = ?").run(standaloneSource, ownerUid);
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

/** What `get jobs` prints of a Job and its status, and no more. */
export interface JobSummary {
  namespace: string;
  name: string;
  /** Empty unless asked for: most listings print no labels, and parsing 10,000 maps shows. */
  labels: Readonly<Record<string, string>>;
  creationTimestamp: number;
  deleting: boolean;
  completions: number | undefined;
  parallelism: number;
  /** The status fields are empty until the controller's first pass over the Job. */
  startTime: number | undefined;
  completionTime: number | undefined;
  succeeded: number;
  /** `Type=Status` pairs in condition order (see conditionSummary). */
  conditions: string;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Jobs for a listing in one query: the covering index `jobs_listing` in name
 * order, joined to each status row, whose condition summary (schema 5) stands
 * in for the conditions. At 10,000 Jobs a query per Job, or reading each wide
 * row with its whole spec, costs more than the listing itself; so does each
 * column read, so only those asked for are.
 */
export function listJobSummaries(db: Db, namespace?: string, opts: { labels?: boolean } = {}): JobSummary[] {
  const { sql, params } = jobSummariesQuery(namespace, opts.labels === true);
  const q = stmt(db, sql).raw(true);
  const rows = q.all(...params) as unknown[][];
  q.raw(false);
  const nsAt = 9;
  const labelsAt = namespace === undefined ? 10 : 9;
  const out: JobSummary[] = new Array<JobSummary>(rows.length);
  // Indexed reads, not destructuring: this runs before the code is optimised, where
  // destructuring an array goes through its iterator.
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const labels = opts.labels === true ? (r[labelsAt] as string) : undefined;
    out[i] = {
      namespace: namespace ?? (r[nsAt] as string),
      name: r[0] as string,
      labels: labels === undefined ? NO_LABELS : json(labels, NO_LABELS),
      creationTimestamp: r[1] as number,
      deleting: r[2] === 1,
      completions: (r[3] as number | null) ?? undefined,
      parallelism: r[4] as number,
      startTime: (r[6] as number | null) ?? undefined,
      completionTime: (r[7] as number | null) ?? undefined,
      succeeded: (r[5] as number | null) ?? 0,
      conditions: (r[8] as string | null) ?? '',
    };
  }
  return out;
}

/** The query listJobSummaries runs (tests read its plan). */
export function jobSummariesQuery(namespace: string | undefined, labels: boolean): { sql: string; params: string[] } {
  const sql = `SELECT j.name, j.created_at, j.deleted_at IS NOT NULL, j.completions, j.parallelism,
      s.succeeded, s.start_time, s.completion_time, s.condition_summary
      ${namespace === undefined ? ', j.namespace' : ''} ${labels ? ', j.labels_json' : ''}
    FROM jobs j INDEXED BY jobs_listing LEFT JOIN job_status s ON s.job_uid = j.uid
    ${namespace === undefined ? '' : 'WHERE j.namespace = ?'} ORDER BY j.namespace, j.name`;
  return { sql, params: namespace === undefined ? [] : [namespace] };
}

/**
 * Up to `limit` Jobs after (namespace, name) in that order: one page of a
 * listing, read without the Jobs before it.
 */
export function listJobsPage(db: Db, namespace: string | undefined, after: { namespace: string; name: string } | undefined, limit: number): Job[] {
  const a = after ?? { namespace: '', name: '' };
  const rows = (
    namespace === undefined
      ? stmt(db, 'SELECT * FROM jobs WHERE namespace > ? OR (namespace = ? AND name > ?) ORDER BY namespace, name LIMIT ?').all(a.namespace, a.namespace, a.name, limit)
      : stmt(db, 'SELECT * FROM jobs WHERE namespace = ? AND name > ? ORDER BY name LIMIT ?').all(namespace, a.namespace === namespace ? a.name : a.namespace < namespace ? '' : '\uffff', limit)
  ) as JobRow[];
  return rows.map(toJob);
}

/** Each Job's uid in listing order, without reading the Jobs themselves. */
export function listJobUids(db: Db, namespace?: string): string[] {
  const q =
    namespace === undefined
      ? stmt(db, 'SELECT uid FROM jobs ORDER BY namespace, name').pluck()
      : stmt(db, 'SELECT uid FROM jobs WHERE namespace = ? ORDER BY name').pluck();
  try {
    return (namespace === undefined ? q.all() : q.all(namespace)) as string[];
  } finally {
    q.pluck(false);
  }
}

/**
 * What a Job's Table row shows and carries: the listing's fields, the wide
 * columns' values and the row's metadata. The wide values come out of the
 * spec in SQLite, so no whole spec is parsed in JS.
 */
export interface JobTableRow {
  uid: string;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  creationTimestamp: number;
  generation: number;
  deletionTimestamp: number | undefined;
  completions: number | undefined;
  parallelism: number;
  startTime: number | undefined;
  completionTime: number | undefined;
  succeeded: number;
  /** `Type=Status` pairs in condition order (see conditionSummary). */
  conditions: string;
  /** The containers' names, comma-joined as kubectl prints them. */
  containerNames: string;
  /** Their images, comma-joined; a container without one gives an empty entry. */
  containerImages: string;
  selector: LabelSelector | undefined;
}

/**
 * Job Table rows in (namespace, name) order, all of them or up to `limit`
 * after `after`: one query, joined to each status row's condition summary.
 */
export function listJobTableRows(
  db: Db,
  namespace: string | undefined,
  page?: { after: { namespace: string; name: string } | undefined; limit: number },
): JobTableRow[] {
  const { sql, params } = jobTableQuery(namespace, page);
  const q = stmt(db, sql).raw(true);
  const rows = q.all(...params) as unknown[][];
  q.raw(false);
  const out: JobTableRow[] = new Array<JobTableRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const selector = r[15] as string | null;
    out[i] = {
      uid: r[0] as string,
      namespace: r[1] as string,
      name: r[2] as string,
      labels: json(r[3] as string, NO_LABELS),
      creationTimestamp: r[4] as number,
      generation: r[5] as number,
      deletionTimestamp: (r[6] as number | null) ?? undefined,
      completions: (r[7] as number | null) ?? undefined,
      parallelism: r[8] as number,
      succeeded: (r[9] as number | null) ?? 0,
      startTime: (r[10] as number | null) ?? undefined,
      completionTime: (r[11] as number | null) ?? undefined,
      conditions: (r[12] as string | null) ?? '',
      containerNames: r[13] as string,
      containerImages: r[14] as string,
      selector: selector === null ? undefined : (JSON.parse(selector) as LabelSelector),
    };
  }
  return out;
}

/** The query listJobTableRows runs. */
export function jobTableQuery(
  namespace: string | undefined,
  page?: { after: { namespace: string; name: string } | undefined; limit: number },
): { sql: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (namespace !== undefined) {
    where.push('j.namespace = ?');
    params.push(namespace);
  }
  const after = page?.after;
  if (after !== undefined) {
    where.push('(j.namespace > ? OR (j.namespace = ? AND j.name > ?))');
    params.push(after.namespace, after.namespace, after.name);
  }
  // group_concat over json_each keeps the array's order: json_each yields it in order, and nothing sorts in between.
  const sql = `SELECT j.uid, j.namespace, j.name, j.labels_json, j.created_at, j.generation, j.deleted_at,
      j.completions, j.parallelism, s.succeeded, s.start_time, s.completion_time, s.condition_summary,
      coalesce((SELECT group_concat(coalesce(json_extract(c.value, '$.name'), ''), ',')
                FROM json_each(j.spec_json, '$.template.spec.containers') c), ''),
      coalesce((SELECT group_concat(coalesce(json_extract(c.value, '$.image'), ''), ',')
                FROM json_each(j.spec_json, '$.template.spec.containers') c), ''),
      json_extract(j.spec_json, '$.selector')
    FROM jobs j LEFT JOIN job_status s ON s.job_uid = j.uid
    ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY j.namespace, j.name
    ${page === undefined ? '' : 'LIMIT ?'}`;
  if (page !== undefined) params.push(page.limit);
  return { sql, params };
}
