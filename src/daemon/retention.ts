import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { containerLogDir, podDir } from '../executor/logs/paths.js';
import type { Db } from '../store/db.js';

export interface RetentionPolicy {
  /** Runs kept per Job name once their Job is deleted (live Jobs always keep theirs). */
  historyLimit: number;
  /** Logs of deleted runs older than this are removed; the run record stays. */
  logRetentionMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { historyLimit: 50, logRetentionMs: 7 * 24 * 3600_000 };

interface RunRow {
  job_uid: string;
  namespace: string;
  name: string;
  deleted_at: number;
}

/**
 * Applies the retention policy to deleted runs only: removes the records of
 * runs beyond the history limit (with their pods, events and logs), and the
 * logs of runs deleted longer ago than the log retention. Returns what it did.
 */
export function applyRetention(db: Db, stateDir: string, policy: RetentionPolicy, now: number): { runsRemoved: number; logsRemoved: number } {
  const deleted = db
    .prepare(
      `SELECT job_uid, namespace, name, deleted_at FROM runs
       WHERE deleted_at IS NOT NULL AND job_uid NOT IN (SELECT uid FROM jobs)
       ORDER BY namespace, name, created_at DESC`,
    )
    .all() as RunRow[];
  const seen = new Map<string, number>();
  const drop: RunRow[] = [];
  const expireLogs: RunRow[] = [];
  for (const r of deleted) {
    const key = `${r.namespace}/${r.name}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > policy.historyLimit) drop.push(r);
    else if (now - r.deleted_at > policy.logRetentionMs) expireLogs.push(r);
  }
  let logsRemoved = 0;
  const podsOf = db.prepare('SELECT uid, namespace, name FROM pods WHERE owner_uid = ?');
  const removeFiles = (run: RunRow): void => {
    for (const p of podsOf.all(run.job_uid) as { uid: string; namespace: string; name: string }[]) {
      rmSync(dirname(containerLogDir(stateDir, p.namespace, p.name, p.uid, 'x')), { recursive: true, force: true });
      rmSync(podDir(stateDir, p.uid), { recursive: true, force: true });
      logsRemoved++;
    }
  };
  for (const r of expireLogs) removeFiles(r);
  db.transaction(() => {
    for (const r of drop) {
      removeFiles(r);
      // The pods' own events (scheduling, container starts) go with them.
      db.prepare('DELETE FROM events WHERE object_uid IN (SELECT uid FROM pods WHERE owner_uid = ?)').run(r.job_uid);
      db.prepare('DELETE FROM pods WHERE owner_uid = ?').run(r.job_uid);
      db.prepare('DELETE FROM events WHERE object_uid = ?').run(r.job_uid);
      db.prepare('DELETE FROM runs WHERE job_uid = ?').run(r.job_uid);
    }
  })();
  return { runsRemoved: drop.length, logsRemoved };
}
