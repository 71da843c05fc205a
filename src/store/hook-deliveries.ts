import type { Db } from './db.js';
import { stmt } from './statements.js';

// Written by the webhook receivers only.

/** A delivery id is remembered this long: forges redeliver within hours, replays of old captures are refused by it. */
export const HOOK_DEDUP_WINDOW_MS = 7 * 24 * 3_600_000;

export interface HookDelivery {
  receivedAt: number;
  revision: string | undefined;
}

export function getHookDelivery(db: Db, receiver: string, delivery: string): HookDelivery | undefined {
  const row = stmt(db, 'SELECT received_at, revision FROM hook_deliveries WHERE receiver = ? AND delivery = ?').get(receiver, delivery) as
    | { received_at: number; revision: string | null }
    | undefined;
  return row === undefined ? undefined : { receivedAt: row.received_at, revision: row.revision ?? undefined };
}

/** Records a delivery acted on, and forgets those past the window. */
export function recordHookDelivery(db: Db, receiver: string, delivery: string, now: number, revision: string): void {
  db.transaction(() => {
    stmt(db, 'INSERT OR IGNORE INTO hook_deliveries (receiver, delivery, received_at, revision) VALUES (?, ?, ?, ?)').run(receiver, delivery, now, revision);
    stmt(db, 'DELETE FROM hook_deliveries WHERE received_at < ?').run(now - HOOK_DEDUP_WINDOW_MS);
  })();
}
