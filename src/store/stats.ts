import type { Db } from './db.js';

export interface WriteStats {
  /** Write transactions committed through this connection since it was opened. */
  transactions: number;
}

/**
 * Counts the transactions a connection commits, for the write-cost benchmark
 * and its smoke test. It wraps `db.transaction`, which every write in the
 * daemon goes through.
 */
export function countTransactions(db: Db): () => WriteStats {
  let transactions = 0;
  const original = db.transaction.bind(db);
  (db as { transaction: Db['transaction'] }).transaction = ((fn: (...a: unknown[]) => unknown) => {
    const tx = original(fn);
    const counted = ((...args: unknown[]) => {
      // A nested call joins the outer transaction: count only the outermost.
      const outer = !db.inTransaction;
      const r = tx(...args);
      if (outer) transactions++;
      return r;
    }) as typeof tx;
    return Object.assign(counted, { deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive, default: tx.default });
  }) as Db['transaction'];
  return () => ({ transactions });
}
