import type { KubeEvent, ObjectReference } from '../api/types.js';
import type { Db } from './db.js';
import { stmt } from './statements.js';

export interface EventRow {
  id: number;
  namespace: string;
  kind: ObjectReference['kind'];
  name: string;
  object_uid: string | null;
  type: KubeEvent['type'];
  reason: string;
  message: string;
  source: string;
  first_ts: number;
  last_ts: number;
  count: number;
}

export function toEvent(r: EventRow): KubeEvent {
  const involvedObject: ObjectReference = { kind: r.kind, namespace: r.namespace, name: r.name };
  if (r.object_uid !== null) involvedObject.uid = r.object_uid;
  return {
    involvedObject,
    type: r.type,
    reason: r.reason,
    message: r.message,
    source: r.source,
    firstTimestamp: r.first_ts,
    lastTimestamp: r.last_ts,
    count: r.count,
  };
}

export interface EventInput {
  object: ObjectReference;
  type: KubeEvent['type'];
  reason: string;
  message: string;
  source: string;
}

// As the API server's event correlator does, a repeat of the latest identical
// event for the same object only bumps its count and last timestamp.
export function recordEvent(db: Db, e: EventInput, now: number): void {
  const last = stmt(
    db,
    `SELECT id, type, reason, message, source FROM events
     WHERE namespace = ? AND kind = ? AND name = ? AND coalesce(object_uid, '') = ?
     ORDER BY id DESC LIMIT 1`,
  ).get(e.object.namespace, e.object.kind, e.object.name, e.object.uid ?? '') as
    | Pick<EventRow, 'id' | 'type' | 'reason' | 'message' | 'source'>
    | undefined;
  if (last && last.type === e.type && last.reason === e.reason && last.message === e.message && last.source === e.source) {
    stmt(db, 'UPDATE events SET count = count + 1, last_ts = ? WHERE id = ?').run(now, last.id);
    return;
  }
  stmt(
    db,
    `INSERT INTO events (namespace, kind, name, object_uid, type, reason, message, source, first_ts, last_ts, count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  ).run(e.object.namespace, e.object.kind, e.object.name, e.object.uid ?? null, e.type, e.reason, e.message, e.source, now, now);
}

export function listEventsFor(db: Db, object: ObjectReference): KubeEvent[] {
  const rows = (
    object.uid === undefined
      ? stmt(db, 'SELECT * FROM events WHERE namespace = ? AND kind = ? AND name = ? ORDER BY id').all(
          object.namespace,
          object.kind,
          object.name,
        )
      : stmt(db, 'SELECT * FROM events WHERE object_uid = ? ORDER BY id').all(object.uid)
  ) as EventRow[];
  return rows.map(toEvent);
}

export function listEvents(db: Db, namespace?: string): KubeEvent[] {
  const rows = (
    namespace === undefined
      ? stmt(db, 'SELECT * FROM events ORDER BY last_ts, id').all()
      : stmt(db, 'SELECT * FROM events WHERE namespace = ? ORDER BY last_ts, id').all(namespace)
  ) as EventRow[];
  return rows.map(toEvent);
}

/** One event by its row id (what the change log names it by). */
export function getEventById(db: Db, id: number): KubeEvent | undefined {
  const r = stmt(db, 'SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
  return r === undefined ? undefined : toEvent(r);
}
