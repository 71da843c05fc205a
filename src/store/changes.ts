import type { CronJob } from '../api/cronjob.js';
import type { Job, KubeEvent, Pod } from '../api/types.js';
import { toCronJob, type CronJobRow } from './cronjobs.js';
import { GitjobsError } from '../errors.js';
import type { Db } from './db.js';
import { toEvent, type EventRow } from './events.js';
import { toJob, type JobRow } from './jobs.js';
import { toPod, type PodRow } from './pods.js';
import { stmt } from './statements.js';

// The change log that migration 7's triggers fill: the store's side of the
// API's resourceVersion, list and watch. Reading only; nothing here writes.

export type ChangeKind = 'jobs' | 'cronjobs' | 'pods' | 'events';
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One write to one object. For events, `uid` is the event's row id and `name`
 * the involved object's name. A `DELETED` change whose row is gone carries the
 * object as it was (`deleted`), since nothing else can rebuild it.
 */
export interface Change {
  rv: number;
  kind: ChangeKind;
  type: ChangeType;
  uid: string;
  namespace: string;
  name: string;
  deleted?: DeletedObject;
}

export type DeletedObject = { kind: 'jobs'; job: Job } | { kind: 'cronjobs'; cronJob: CronJob } | { kind: 'pods'; pod: Pod } | { kind: 'events'; event: KubeEvent & { id: number } };

type ChangeRow = Omit<Change, 'deleted'> & { row_json: string | null };

/** The newest resourceVersion given out: what a list reports as its own. */
export function currentResourceVersion(db: Db): number {
  const r = stmt(db, "SELECT seq FROM sqlite_sequence WHERE name = 'changes'").get() as { seq: number } | undefined;
  return r?.seq ?? 0;
}

/** The oldest resourceVersion a watch can still resume from (exclusive). */
export function oldestResumableVersion(db: Db): number {
  const r = stmt(db, 'SELECT min(rv) AS rv FROM changes').get() as { rv: number | null };
  // With an empty log, every change up to now has been dropped or none made.
  return r.rv === null ? currentResourceVersion(db) : r.rv - 1;
}

/** A live object's resourceVersion: that of its last change. */
export function resourceVersionOf(db: Db, kind: ChangeKind, uid: string): number | undefined {
  const r = stmt(db, 'SELECT rv FROM object_versions WHERE kind = ? AND uid = ?').get(kind, uid) as { rv: number } | undefined;
  return r?.rv;
}

/** resourceVersionOf for many objects in one query, for a list. */
export function resourceVersionsOf(db: Db, kind: ChangeKind, uids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  if (uids.length === 0) return out;
  const rows = stmt(db, 'SELECT uid, rv FROM object_versions WHERE kind = ? AND uid IN (SELECT value FROM json_each(?))').all(
    kind,
    JSON.stringify(uids),
  ) as { uid: string; rv: number }[];
  for (const r of rows) out.set(r.uid, r.rv);
  return out;
}

/**
 * The changes after `rv` of the given kinds, oldest first, at most `limit`.
 * A resourceVersion older than the retained window cannot be resumed: Gone,
 * which the API answers as 410 Expired so the client lists again.
 */
export function changesSince(db: Db, rv: number, kinds: readonly ChangeKind[], limit = 10_000): Change[] {
  if (rv < oldestResumableVersion(db)) {
    throw new GitjobsError('Gone', `too old resource version: ${rv} (${oldestResumableVersion(db) + 1})`);
  }
  const rows = stmt(
    db,
    'SELECT rv, kind, type, uid, namespace, name, row_json FROM changes WHERE rv > ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY rv LIMIT ?',
  ).all(rv, JSON.stringify(kinds), limit) as ChangeRow[];
  return rows.map(toChange);
}

function toChange(r: ChangeRow): Change {
  const { row_json, ...c } = r;
  return row_json === null ? c : { ...c, deleted: deletedObject(r.kind, JSON.parse(row_json) as Record<string, unknown>) };
}

function deletedObject(kind: ChangeKind, row: Record<string, unknown>): DeletedObject {
  switch (kind) {
    case 'jobs':
      return { kind, job: toJob(row as unknown as JobRow) };
    case 'cronjobs':
      return { kind, cronJob: toCronJob(row as unknown as CronJobRow) };
    case 'pods':
      return { kind, pod: toPod(row as unknown as PodRow) };
    case 'events':
      return { kind, event: { ...toEvent(row as unknown as EventRow), id: row.id as number } };
  }
}
