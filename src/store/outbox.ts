import type { Db } from './db.js';
import { stmt } from './statements.js';

// The outbox: rows are inserted by whatever writes their cause, in the same
// transaction (the Job controller, the source's status), and never changed.
// Delivery progress is the deliverer's alone, in outbox_delivery, and so is
// removing rows long finished.

export interface OutboxInsert {
  eventId: string;
  target: string;
  type: string;
  subject: string;
  payload: unknown;
}

export interface OutboxRow {
  seq: number;
  eventId: string;
  target: string;
  type: string;
  subject: string;
  payload: unknown;
  createdAt: number;
  attempts: number;
  nextAt: number | undefined;
  lastError: string | undefined;
  deliveredAt: number | undefined;
  failedAt: number | undefined;
}

interface Row {
  seq: number;
  event_id: string;
  target: string;
  type: string;
  subject: string;
  payload_json: string;
  created_at: number;
  attempts: number | null;
  next_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
  failed_at: number | null;
}

const SELECT = `SELECT o.seq, o.event_id, o.target, o.type, o.subject, o.payload_json, o.created_at,
  d.attempts, d.next_at, d.last_error, d.delivered_at, d.failed_at
  FROM outbox o LEFT JOIN outbox_delivery d ON d.seq = o.seq`;

function toRow(r: Row): OutboxRow {
  return {
    seq: r.seq,
    eventId: r.event_id,
    target: r.target,
    type: r.type,
    subject: r.subject,
    payload: JSON.parse(r.payload_json) as unknown,
    createdAt: r.created_at,
    attempts: r.attempts ?? 0,
    nextAt: r.next_at ?? undefined,
    lastError: r.last_error ?? undefined,
    deliveredAt: r.delivered_at ?? undefined,
    failedAt: r.failed_at ?? undefined,
  };
}

/** Call inside the transaction that writes the cause. */
export function insertOutbox(db: Db, item: OutboxInsert, now: number): void {
  stmt(db, 'INSERT OR IGNORE INTO outbox (event_id, target, type, subject, payload_json, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    item.eventId,
    item.target,
    item.type,
    item.subject,
    JSON.stringify(item.payload),
    now,
  );
}

/** Notifications neither delivered nor given up, oldest first. */
export function listOpenOutbox(db: Db): OutboxRow[] {
  return (stmt(db, `${SELECT} WHERE d.seq IS NULL OR (d.delivered_at IS NULL AND d.failed_at IS NULL) ORDER BY o.seq`).all() as Row[]).map(toRow);
}

/** Every notification not delivered (pending and given up), for `gitjobs get notifications`; `all` adds the delivered ones. */
export function listOutbox(db: Db, opts: { all?: boolean } = {}): OutboxRow[] {
  const where = opts.all === true ? '' : ' WHERE d.delivered_at IS NULL';
  return (stmt(db, `${SELECT}${where} ORDER BY o.seq`).all() as Row[]).map(toRow);
}

export type DeliveryOutcome =
  | { kind: 'delivered'; at: number }
  | { kind: 'retry'; nextAt: number; error: string }
  | { kind: 'failed'; at: number; error: string };

/** The deliverer's record of one attempt. */
export function recordDeliveryAttempt(db: Db, seq: number, outcome: DeliveryOutcome): void {
  stmt(
    db,
    `INSERT INTO outbox_delivery (seq, attempts, next_at, last_error, delivered_at, failed_at) VALUES (?, 1, ?, ?, ?, ?)
     ON CONFLICT(seq) DO UPDATE SET attempts = attempts + 1, next_at = excluded.next_at,
       last_error = coalesce(excluded.last_error, last_error), delivered_at = excluded.delivered_at, failed_at = excluded.failed_at`,
  ).run(
    seq,
    outcome.kind === 'retry' ? outcome.nextAt : null,
    outcome.kind === 'delivered' ? null : outcome.error,
    outcome.kind === 'delivered' ? outcome.at : null,
    outcome.kind === 'failed' ? outcome.at : null,
  );
}

/** A notification given up without another attempt (its target is no longer configured, or it is too old). */
export function recordGivenUp(db: Db, seq: number, at: number, error: string): void {
  stmt(
    db,
    `INSERT INTO outbox_delivery (seq, attempts, last_error, failed_at) VALUES (?, 0, ?, ?)
     ON CONFLICT(seq) DO UPDATE SET next_at = NULL, last_error = excluded.last_error, failed_at = excluded.failed_at`,
  ).run(seq, error, at);
}

/**
 * Forgets notifications finished (delivered or given up) before `before`: the
 * deliverer's housekeeping, the one delete of outbox rows. Returns how many.
 */
export function pruneOutbox(db: Db, before: number): number {
  return stmt(
    db,
    'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox_delivery WHERE coalesce(delivered_at, failed_at) < ?)',
  ).run(before).changes;
}
