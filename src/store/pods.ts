import type { ContainerStateTerminated, Pod, PodStatus } from '../api/types.js';
import type { Db } from './db.js';
import { json, stmt } from './statements.js';

export interface PodRow {
  uid: string;
  namespace: string;
  name: string;
  owner_uid: string | null;
  owner_name: string | null;
  labels_json: string;
  annotations_json: string;
  spec_json: string;
  created_at: number;
  deleted_at: number | null;
  grace_seconds: number | null;
  tracking_finalizer: number;
  status_json: string | null;
}

const SELECT_POD = `SELECT p.*, s.status_json FROM pods p LEFT JOIN pod_status s ON s.pod_uid = p.uid`;

export function toPod(r: PodRow): Pod {
  const pod: Pod = {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    labels: json(r.labels_json, {}),
    annotations: json(r.annotations_json, {}),
    creationTimestamp: r.created_at,
    trackingFinalizer: r.tracking_finalizer === 1,
    spec: json(r.spec_json, {} as Pod['spec']),
    status: json<PodStatus>(r.status_json, {
      phase: 'Pending',
      conditions: [],
      containerStatuses: [],
      initContainerStatuses: [],
    }),
  };
  if (r.owner_uid !== null) pod.owner = { uid: r.owner_uid, name: r.owner_name ?? '' };
  if (r.deleted_at !== null) pod.deletionTimestamp = r.deleted_at;
  if (r.grace_seconds !== null) pod.deletionGracePeriodSeconds = r.grace_seconds;
  return pod;
}

/** The controller's write: the pod row exists before any process is spawned. */
export function insertPod(db: Db, pod: Pod, completionIndex: number | undefined, now: number): void {
  stmt(
    db,
    `INSERT INTO pods (uid, namespace, name, owner_uid, owner_name, labels_json, annotations_json, spec_json,
       created_at, deleted_at, grace_seconds, tracking_finalizer, completion_index)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
  ).run(
    pod.uid,
    pod.namespace,
    pod.name,
    pod.owner?.uid ?? null,
    pod.owner?.name ?? null,
    JSON.stringify(pod.labels),
    JSON.stringify(pod.annotations),
    JSON.stringify(pod.spec),
    pod.creationTimestamp,
    pod.trackingFinalizer ? 1 : 0,
    completionIndex ?? null,
  );
  putPodStatus(db, pod.uid, pod.status, now);
}

export function requestPodDeletion(db: Db, uid: string, now: number, graceSeconds: number): void {
  stmt(db, 'UPDATE pods SET deleted_at = coalesce(deleted_at, ?), grace_seconds = coalesce(grace_seconds, ?) WHERE uid = ?').run(
    now,
    graceSeconds,
    uid,
  );
}

export function removeFinalizer(db: Db, uid: string): void {
  stmt(db, 'UPDATE pods SET tracking_finalizer = 0 WHERE uid = ?').run(uid);
}

/** A deleted, ended, settled pod: the API server would have removed it. */
export function markPodGone(db: Db, uid: string): void {
  stmt(db, 'UPDATE pods SET gone = 1 WHERE uid = ?').run(uid);
}

/** Orphans every pod of a Job (`--cascade=orphan`) or detaches pods of a removed Job's history. */
export function releasePods(db: Db, ownerUid: string): void {
  stmt(db, 'UPDATE pods SET owner_uid = NULL WHERE owner_uid = ? AND gone = 0').run(ownerUid);
}

export function getPod(db: Db, uid: string): Pod | undefined {
  const r = stmt(db, `${SELECT_POD} WHERE p.uid = ?`).get(uid) as PodRow | undefined;
  return r === undefined ? undefined : toPod(r);
}

export function getPodByName(db: Db, namespace: string, name: string): Pod | undefined {
  const r = stmt(db, `${SELECT_POD} WHERE p.namespace = ? AND p.name = ? AND p.gone = 0`).get(namespace, name) as
    | PodRow
    | undefined;
  return r === undefined ? undefined : toPod(r);
}

/** The pods a Job owns that still exist, oldest first. */
export function listPodsForJob(db: Db, jobUid: string): Pod[] {
  return (stmt(db, `${SELECT_POD} WHERE p.owner_uid = ? AND p.gone = 0 ORDER BY p.created_at, p.rowid`).all(jobUid) as PodRow[]).map(
    toPod,
  );
}

/** How many of a Job's settled pods a pass reads: the back-off looks at the failures since the latest success, and its delay stops growing after a few. */
export const RECENT_SETTLED = 16;

/**
 * A pod row as a reconcile pass reads it, with what decides whether a pass
 * reads it at all (listPodsForSync) and in which order.
 */
export interface SyncPodRow {
  pod: Pod;
  ownerUid: string | null;
  gone: boolean;
  settled: boolean;
  finishedAt: number | null;
  rowid: number;
}

const SELECT_SYNC_ROW = `SELECT p.*, p.rowid AS rowid_, s.status_json FROM pods p LEFT JOIN pod_status s ON s.pod_uid = p.uid`;

function toSyncRow(r: PodRow & { rowid_: number; gone: number; settled: number; finished_at: number | null }): SyncPodRow {
  return { pod: toPod(r), ownerUid: r.owner_uid, gone: r.gone === 1, settled: r.settled === 1, finishedAt: r.finished_at, rowid: r.rowid_ };
}

/**
 * What a reconcile pass needs: the Job's pods whose outcome is not yet settled,
 * and the `recent` settled ones that finished last; the settled first, each
 * part by creation.
 */
export function listSyncRows(db: Db, jobUid: string, recent = RECENT_SETTLED): SyncPodRow[] {
  type Row = Parameters<typeof toSyncRow>[0];
  const open = stmt(db, `${SELECT_SYNC_ROW} WHERE p.owner_uid = ? AND p.gone = 0 AND p.settled = 0 ORDER BY p.created_at, p.rowid`).all(jobUid) as Row[];
  const last = stmt(
    db,
    `${SELECT_SYNC_ROW} WHERE p.uid IN (SELECT uid FROM pods WHERE owner_uid = ? AND gone = 0 AND settled = 1 ORDER BY finished_at DESC, rowid DESC LIMIT ?)
     ORDER BY p.created_at, p.rowid`,
  ).all(jobUid, recent) as Row[];
  return [...last, ...open].map(toSyncRow);
}

export function listPodsForSync(db: Db, jobUid: string, recent = RECENT_SETTLED): Pod[] {
  return listSyncRows(db, jobUid, recent).map((r) => r.pod);
}

/** One pod's row as listSyncRows reads it, whoever owns it; undefined once the row is removed. */
export function getSyncRow(db: Db, uid: string): SyncPodRow | undefined {
  const r = stmt(db, `${SELECT_SYNC_ROW} WHERE p.uid = ?`).get(uid) as Parameters<typeof toSyncRow>[0] | undefined;
  return r === undefined ? undefined : toSyncRow(r);
}

/** The pod has ended and its outcome is counted: later passes need not read it. */
export function settlePod(db: Db, uid: string, finishedAt: number): void {
  stmt(db, 'UPDATE pods SET settled = 1, finished_at = ? WHERE uid = ?').run(finishedAt, uid);
}

/** A removed Job takes all its pods with it, settled or not. */
export function markPodsOfJobGone(db: Db, jobUid: string): void {
  stmt(db, 'UPDATE pods SET gone = 1 WHERE owner_uid = ?').run(jobUid);
}

/** Every pod of a Job's run, gone or not: logs and history. */
export function listPodsOfRun(db: Db, jobUid: string): Pod[] {
  return (
    stmt(db, `${SELECT_POD} WHERE p.owner_uid = ? ORDER BY p.created_at, p.rowid`).all(jobUid) as PodRow[]
  ).map(toPod);
}

export function listPods(db: Db, namespace?: string): Pod[] {
  const rows = (
    namespace === undefined
      ? stmt(db, `${SELECT_POD} WHERE p.gone = 0 ORDER BY p.namespace, p.name`).all()
      : stmt(db, `${SELECT_POD} WHERE p.gone = 0 AND p.namespace = ? ORDER BY p.name`).all(namespace)
  ) as PodRow[];
  return rows.map(toPod);
}

/**
 * Labels with an index of their own (schema 5). The query must spell the
 * indexed expression itself, path included, for the planner to use the index.
 */
export const INDEXED_POD_LABELS: ReadonlySet<string> = new Set(['job-name', 'batch.kubernetes.io/job-name']);

/**
 * Pods whose labels include these exact key/value pairs, filtered in SQL so a
 * `get pods -l job-name=x` does not parse every pod in the store; on an indexed
 * label it reads only the matching pods.
 */
export function listPodsWithLabels(db: Db, namespace: string | undefined, equal: Readonly<Record<string, string>>): Pod[] {
  const { sql, params } = podsWithLabelsQuery(namespace, equal);
  return (db.prepare(sql).all(...params) as PodRow[]).map(toPod);
}

/** The query listPodsWithLabels runs (tests read its plan). */
export function podsWithLabelsQuery(namespace: string | undefined, equal: Readonly<Record<string, string>>): { sql: string; params: unknown[] } {
  const where = ['p.gone = 0'];
  const params: unknown[] = [];
  if (namespace !== undefined) {
    // Without statistics the planner would rather walk a namespace by name, in
    // listing order, than look a label up: `+` keeps it off the namespace index.
    where.push(Object.keys(equal).some((k) => INDEXED_POD_LABELS.has(k)) ? '+p.namespace = ?' : 'p.namespace = ?');
    params.push(namespace);
  }
  for (const [k, v] of Object.entries(equal)) {
    if (INDEXED_POD_LABELS.has(k)) {
      where.push(`json_extract(p.labels_json, '$."${k}"') = ?`);
    } else {
      where.push('json_extract(p.labels_json, ?) = ?');
      params.push(`$."${k.replace(/["\\]/g, '')}"`);
    }
    params.push(v);
  }
  return { sql: `${SELECT_POD} WHERE ${where.join(' AND ')} ORDER BY p.namespace, p.name`, params };
}

/** Pods the executor must look after: not yet ended (including pending ones never started). */
export function listLivePods(db: Db): Pod[] {
  return (stmt(db, `${SELECT_POD} WHERE s.phase IN ('Pending', 'Running') ORDER BY p.created_at`).all() as PodRow[]).map(toPod);
}

// --- the executor's writes -------------------------------------------------

export function putPodStatus(db: Db, uid: string, status: PodStatus, now: number): void {
  stmt(
    db,
    `INSERT INTO pod_status (pod_uid, phase, reason, message, start_time, status_json, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (pod_uid) DO UPDATE SET phase = excluded.phase, reason = excluded.reason, message = excluded.message,
       start_time = excluded.start_time, status_json = excluded.status_json, updated_at = excluded.updated_at`,
  ).run(uid, status.phase, status.reason ?? null, status.message ?? null, status.startTime ?? null, JSON.stringify(status), now);
}

export interface ContainerTermination extends ContainerStateTerminated {
  container: string;
  attempt: number;
  logPath: string;
}

export function recordContainerTermination(db: Db, podUid: string, t: ContainerTermination): void {
  stmt(
    db,
    `INSERT OR REPLACE INTO container_terminations
       (pod_uid, container, attempt, exit_code, signal, reason, started_at, finished_at, log_path)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(podUid, t.container, t.attempt, t.exitCode, t.signal ?? null, t.reason, t.startedAt ?? null, t.finishedAt, t.logPath);
}

export function listContainerTerminations(db: Db, podUid: string): ContainerTermination[] {
  return (
    stmt(db, 'SELECT * FROM container_terminations WHERE pod_uid = ? ORDER BY container, attempt').all(podUid) as {
      container: string;
      attempt: number;
      exit_code: number;
      signal: number | null;
      reason: string;
      started_at: number | null;
      finished_at: number;
      log_path: string | null;
    }[]
  ).map((r) => {
    const t: ContainerTermination = {
      container: r.container,
      attempt: r.attempt,
      exitCode: r.exit_code,
      reason: r.reason,
      finishedAt: r.finished_at,
      logPath: r.log_path ?? '',
    };
    if (r.signal !== null) t.signal = r.signal;
    if (r.started_at !== null) t.startedAt = r.started_at;
    return t;
  });
}
