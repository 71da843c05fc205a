import type { Pod } from '../api/types.js';
import type { Db } from './db.js';
import { getPod } from './pods.js';
import { stmt } from './statements.js';

// The controller's writes for adopting and releasing pods. An adopted pod gets
// the tracking finalizer, as Kubernetes adds it with the owner reference; a
// released one loses both, so no Job counts it.

/** Every pass runs it: it must read the orphans only (the pods_orphans index), never the namespace's pods. */
export const ORPHAN_PODS_SQL = 'SELECT uid FROM pods WHERE owner_uid IS NULL AND gone = 0 AND deleted_at IS NULL AND namespace = ? ORDER BY created_at, rowid';

/** Pods of a namespace with no owner that still exist and are not being deleted. */
export function listOrphanPods(db: Db, namespace: string): Pod[] {
  const rows = stmt(db, ORPHAN_PODS_SQL).all(namespace) as { uid: string }[];
  return rows.map((r) => getPod(db, r.uid)).filter((p): p is Pod => p !== undefined);
}

/** Only an orphan is adopted: false if another Job took it first. */
export function adoptPod(db: Db, podUid: string, owner: { uid: string; name: string }): boolean {
  const r = stmt(db, 'UPDATE pods SET owner_uid = ?, owner_name = ?, tracking_finalizer = 1, settled = 0 WHERE uid = ? AND owner_uid IS NULL AND gone = 0').run(
    owner.uid,
    owner.name,
    podUid,
  );
  return r.changes === 1;
}

export function releasePod(db: Db, podUid: string, ownerUid: string): void {
  stmt(db, 'UPDATE pods SET owner_uid = NULL, tracking_finalizer = 0 WHERE uid = ? AND owner_uid = ?').run(podUid, ownerUid);
}
