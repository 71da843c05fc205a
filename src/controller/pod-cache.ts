import type { Pod } from '../api/types.js';
import { GitjobsError } from '../errors.js';
import { changesSince, currentResourceVersion } from '../store/changes.js';
import type { Db } from '../store/db.js';
import { getSyncRow, listSyncRows, RECENT_SETTLED, type SyncPodRow } from '../store/pods.js';

/** Changes read from the log at a time while catching up. */
const BATCH = 1000;

/**
 * The pods each reconcile pass reads (listSyncRows: a Job's unsettled pods and
 * its last few settled ones), kept between passes as an informer keeps its
 * cache, and brought up to date from the store's change log: a pass re-reads
 * the pods that changed since the last, not every pod of its Job, so a Job
 * with a thousand pods running costs a pass what changed, not a thousand rows.
 *
 * It is a cache of the store, never a source: every write goes to the store,
 * whose triggers log it, and what the log says changed is read back. A Job is
 * listed afresh when first asked for, after its pods were adopted or released,
 * and when the log has moved past what was kept (a daemon long busy elsewhere).
 * A Job with no unsettled pod left is dropped, so memory follows the running
 * Jobs, not the history.
 */
export class JobPodCache {
  /** The newest change applied; undefined until the first Job is listed. */
  private rv: number | undefined;
  private readonly jobs = new Map<string, Map<string, SyncPodRow>>();
  /** Which cached Job each cached pod is in. */
  private readonly jobOf = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly recent = RECENT_SETTLED,
  ) {}

  /** What listPodsForSync returns for the Job now, in its order. */
  pods(jobUid: string): Pod[] {
    this.catchUp();
    let rows = this.jobs.get(jobUid);
    if (rows === undefined) {
      // The log position first: a change that lands between the two is applied again, which is harmless.
      this.rv ??= currentResourceVersion(this.db);
      rows = new Map();
      for (const r of listSyncRows(this.db, jobUid, this.recent)) {
        rows.set(r.pod.uid, r);
        this.jobOf.set(r.pod.uid, jobUid);
      }
      this.jobs.set(jobUid, rows);
    }
    return ordered(rows, this.recent);
  }

  /** The Job's pods changed in a way the log does not route here (adoption, release): it is listed afresh. */
  forget(jobUid: string): void {
    const rows = this.jobs.get(jobUid);
    if (rows === undefined) return;
    for (const uid of rows.keys()) this.jobOf.delete(uid);
    this.jobs.delete(jobUid);
  }

  /** Drops a Job that has nothing left running: its next pass lists it, a few settled rows. */
  release(jobUid: string): void {
    const rows = this.jobs.get(jobUid);
    if (rows !== undefined && ![...rows.values()].some((r) => !r.settled)) this.forget(jobUid);
  }

  get size(): number {
    return this.jobOf.size;
  }

  private catchUp(): void {
    if (this.rv === undefined || this.jobs.size === 0) {
      this.rv = undefined;
      return;
    }
    try {
      for (;;) {
        const changes = changesSince(this.db, this.rv, ['pods'], BATCH);
        if (changes.length === 0) return;
        this.rv = changes[changes.length - 1]!.rv;
        for (const uid of new Set(changes.map((c) => c.uid))) this.refresh(uid);
      }
    } catch (err) {
      if (!(err instanceof GitjobsError && err.code === 'Gone')) throw err;
      // The log no longer reaches back to what is kept: everything is listed afresh.
      this.jobs.clear();
      this.jobOf.clear();
      this.rv = undefined;
    }
  }

  /** Re-reads one changed pod into the Job that owns it now, if that Job is kept. */
  private refresh(uid: string): void {
    const was = this.jobOf.get(uid);
    const row = getSyncRow(this.db, uid);
    const now = row === undefined || row.gone || row.ownerUid === null ? undefined : row.ownerUid;
    if (was !== undefined && was !== now) {
      // A settled pod leaving makes room for one the window no longer keeps: that Job is listed afresh.
      if (this.jobs.get(was)?.get(uid)?.settled === true) this.forget(was);
      this.jobs.get(was)?.delete(uid);
      this.jobOf.delete(uid);
    }
    const rows = now === undefined ? undefined : this.jobs.get(now);
    if (row === undefined || now === undefined || rows === undefined) return;
    rows.set(uid, row);
    this.jobOf.set(uid, now);
    if (row.settled) this.trim(rows);
  }

  /**
   * Keeps no more settled pods than a pass reads. One let go here is never
   * needed again: a settled pod's finish time does not change, and it is
   * unsettled only by adoption, which lists its Job afresh.
   */
  private trim(rows: Map<string, SyncPodRow>): void {
    const settled = [...rows.values()].filter((r) => r.settled);
    if (settled.length <= this.recent) return;
    for (const r of settled.sort(byLatestFinish).slice(this.recent)) {
      rows.delete(r.pod.uid);
      this.jobOf.delete(r.pod.uid);
    }
  }
}

/** listSyncRows' order: the `recent` settled pods that finished last, then the unsettled; each part by creation. */
function ordered(rows: Map<string, SyncPodRow>, recent: number): Pod[] {
  const all = [...rows.values()];
  const settled = all.filter((r) => r.settled).sort(byLatestFinish).slice(0, recent).sort(byCreation);
  const open = all.filter((r) => !r.settled).sort(byCreation);
  return [...settled, ...open].map((r) => r.pod);
}

function byCreation(a: SyncPodRow, b: SyncPodRow): number {
  return a.pod.creationTimestamp - b.pod.creationTimestamp || a.rowid - b.rowid;
}

function byLatestFinish(a: SyncPodRow, b: SyncPodRow): number {
  return (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.rowid - a.rowid;
}
