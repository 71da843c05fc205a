import { observeCommits } from './commits.js';
import type { Db } from './db.js';

export interface WriteStats {
  /** Write transactions committed through this connection since it was opened. */
  transactions: number;
}

/** Counts the transactions a connection commits, for the write-cost benchmark and its smoke test. */
export function countTransactions(db: Db): () => WriteStats {
  let transactions = 0;
  observeCommits(db, () => transactions++);
  return () => ({ transactions });
}
