import type { Db } from '../../store/db.js';
import { listOutbox, type OutboxRow } from '../../store/outbox.js';
import { humanDuration } from '../print/duration.js';
import { tabwrite, TABLE_LAYOUT } from '../print/tabwriter.js';
import type { GetKind } from './get-kind.js';

/** What `get notifications` shows of an outbox row. */
export interface NotificationView {
  name: string;
  eventId: string;
  type: string;
  subject: string;
  target: string;
  status: 'Pending' | 'Failed';
  attempts: number;
  createdAt: string;
  nextAttempt?: string;
  lastError?: string;
}

function view(r: OutboxRow): NotificationView {
  const v: NotificationView = {
    name: `${r.seq}`,
    eventId: r.eventId,
    type: r.type,
    subject: r.subject,
    target: r.target,
    status: r.failedAt !== undefined ? 'Failed' : 'Pending',
    attempts: r.attempts,
    createdAt: new Date(r.createdAt).toISOString(),
  };
  if (r.nextAt !== undefined && r.failedAt === undefined) v.nextAttempt = new Date(r.nextAt).toISOString();
  if (r.lastError !== undefined) v.lastError = r.lastError;
  return v;
}

/** Pending and given-up deliveries of the notification outbox (delivered ones are not listed). */
export const notificationsKind: GetKind<NotificationView> = {
  load: (db: Db, { names }) => {
    let hasOutbox: boolean;
    try {
      hasOutbox = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").get() !== undefined;
    } catch {
      hasOutbox = false;
    }
    const rows = hasOutbox ? listOutbox(db).map(view) : [];
    const wanted = names.length === 0 ? rows : rows.filter((r) => names.includes(r.name) || names.includes(r.eventId));
    return wanted.map((item) => ({ name: item.name, namespace: 'default', labels: {}, item }));
  },
  table(items, now, opts) {
    const lines = opts.noHeaders === true ? [] : ['ID\tEVENT\tSUBJECT\tTARGET\tSTATUS\tATTEMPTS\tAGE\tNEXT\tLAST ERROR'];
    for (const n of items) {
      const next = n.nextAttempt === undefined ? '' : Date.parse(n.nextAttempt) <= now ? 'now' : `in ${humanDuration(Date.parse(n.nextAttempt) - now)}`;
      lines.push([n.name, n.type.replace(/^io\.gitjobs\./, ''), n.subject, n.target, n.status, String(n.attempts), humanDuration(now - Date.parse(n.createdAt)), next, n.lastError ?? ''].join('\t'));
    }
    return tabwrite(lines.join('\n') + '\n', TABLE_LAYOUT);
  },
  uid: (n) => n.eventId + n.target,
};
