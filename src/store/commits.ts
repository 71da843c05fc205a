import type { Db } from './db.js';

// Every write in the daemon goes through `db.transaction`. Wrapping it once
// per connection lets the write counter and the watchers' notifier both hear
// of each committed outermost transaction, without a hook in every writer.

const observers = new WeakMap<Db, Set<() => void>>();

/** Calls `observer` after each outermost transaction commits on `db`. */
export function observeCommits(db: Db, observer: () => void): () => void {
  let set = observers.get(db);
  if (set === undefined) {
    const installed = new Set<() => void>();
    set = installed;
    observers.set(db, installed);
    const original = db.transaction.bind(db);
    (db as { transaction: Db['transaction'] }).transaction = ((fn: (...a: unknown[]) => unknown) => {
      const tx = original(fn);
      const observed = ((...args: unknown[]) => {
        // A nested call joins the outer transaction: only the outermost commits.
        const outer = !db.inTransaction;
        const r = tx(...args);
        if (outer) for (const o of installed) o();
        return r;
      }) as typeof tx;
      return Object.assign(observed, { deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive, default: tx.default });
    }) as Db['transaction'];
  }
  set.add(observer);
  return () => set.delete(observer);
}
