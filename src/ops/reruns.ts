import { randomUUID } from 'node:crypto';
import type { Job } from '../api/types.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getJob, insertJob, markJobDeleted } from '../store/jobs.js';
import { insertRun, markRunDeleted } from '../store/runs.js';
import { rerunOf } from '../sync/rerun.js';

/**
 * `gitjobs rerun`: the current run is deleted (its pods terminated gracefully),
 * and once it is gone a new Job with the same desired state and a new uid takes
 * its place. A rerun asked for while the daemon restarts is finished by the
 * source's next sync for source-owned Jobs (the run is not a tombstone).
 */
export class Reruns {
  private readonly pending = new Map<string, ((job: Job) => void)[]>();

  constructor(private readonly db: Db, private readonly now: () => number, private readonly enqueue: (uid: string) => void) {}

  /** Marks the run for replacement; resolves with the new Job once it exists. */
  request(old: Job): Promise<Job> {
    return new Promise((resolve) => {
      const waiters = this.pending.get(old.uid) ?? [];
      waiters.push(resolve);
      this.pending.set(old.uid, waiters);
      if (waiters.length === 1) {
        const now = this.now();
        this.db.transaction(() => {
          markJobDeleted(this.db, old.uid, now);
          markRunDeleted(this.db, old.uid, now, 'rerun');
          recordEvent(
            this.db,
            { object: { kind: 'Job', namespace: old.namespace, name: old.name, uid: old.uid }, type: 'Normal', reason: 'Rerun', message: 'Rerun requested: this run is deleted and a new Job starts when it is gone', source: 'gitjobs' },
            now,
          );
        })();
      }
      this.enqueue(old.uid);
    });
  }

  /** Called when a Job's row is removed: starts its successor if a rerun was asked for. */
  onRemoved(old: Job): Job | undefined {
    const waiters = this.pending.get(old.uid);
    if (waiters === undefined) return undefined;
    this.pending.delete(old.uid);
    if (getJob(this.db, old.uid) !== undefined) return undefined;
    const next = rerunOf(old, randomUUID(), this.now());
    this.db.transaction(() => {
      insertJob(this.db, next);
      insertRun(this.db, next, 'rerun');
    })();
    this.enqueue(next.uid);
    for (const w of waiters) w(next);
    return next;
  }
}
