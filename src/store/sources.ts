import type { Db } from './db.js';
import { json, stmt } from './statements.js';

export interface SourceIssue {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
  /** Absent in records written before it was kept: those are errors. */
  severity?: 'error' | 'warning';
}

export interface SourceRecord {
  name: string;
  kind: 'dir' | 'git';
  url: string;
  revision?: string;
  lastSync?: number;
  ready: boolean;
  message: string;
  issues: SourceIssue[];
}

export function putSource(db: Db, s: SourceRecord): void {
  stmt(
    db,
    `INSERT INTO sources (name, kind, url, revision, last_sync, ready, message, issues_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, revision = excluded.revision,
       last_sync = excluded.last_sync, ready = excluded.ready, message = excluded.message, issues_json = excluded.issues_json`,
  ).run(s.name, s.kind, s.url, s.revision ?? null, s.lastSync ?? null, s.ready ? 1 : 0, s.message, JSON.stringify(s.issues));
}

export function listSources(db: Db): SourceRecord[] {
  return (
    stmt(db, 'SELECT * FROM sources ORDER BY name').all() as {
      name: string;
      kind: 'dir' | 'git';
      url: string;
      revision: string | null;
      last_sync: number | null;
      ready: number;
      message: string;
      issues_json: string;
    }[]
  ).map((r) => {
    const s: SourceRecord = {
      name: r.name,
      kind: r.kind,
      url: r.url,
      ready: r.ready === 1,
      message: r.message,
      issues: json(r.issues_json, []),
    };
    if (r.revision !== null) s.revision = r.revision;
    if (r.last_sync !== null) s.lastSync = r.last_sync;
    return s;
  });
}
