import type { Db } from '../store/db.js';

const ROLLBACK = Symbol('dry run');

/**
 * `dryRun=All`: the write runs as it would (same code, same checks, same
 * answer) in a transaction that is then rolled back, so nothing is kept.
 */
export function inTransaction<T>(db: Db, dryRun: boolean, write: () => T): T {
  if (!dryRun) return db.transaction(write)();
  let out: T | undefined;
  try {
    db.transaction(() => {
      out = write();
      throw ROLLBACK;
    })();
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  return out as T;
}
