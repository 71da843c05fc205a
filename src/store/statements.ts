import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

// Preparing a statement costs more than running a point query, so each
// connection keeps the ones it has used.
const cache = new WeakMap<Db, Map<string, Statement>>();

export function stmt(db: Db, sql: string): Statement {
  let byDb = cache.get(db);
  if (byDb === undefined) {
    byDb = new Map();
    cache.set(db, byDb);
  }
  let s = byDb.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    byDb.set(sql, s);
  }
  return s;
}

export function json<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

export function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}
