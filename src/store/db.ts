import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GitjobsError } from '../errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

export const STATE_DB_FILE = 'gitjobs.db';

export interface OpenOptions {
  readonly?: boolean;
}

/**
 * Opens the state database. The daemon opens it read-write and migrates it; the
 * CLI opens it read-only, so it never takes a write lock and never blocks the
 * daemon (WAL readers see the last committed snapshot).
 */
export function openDb(path: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(path)) {
    throw new GitjobsError('NotFound', `no state database at ${path} (has the daemon run with this --state?)`);
  }
  if (!readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: 5000 });
  } catch (err) {
    throw new GitjobsError('StateCorrupt', `cannot open state database ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    checkOwnership(db, path);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // Reopening a WAL database reports a different default, so always say it.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } else {
      db.pragma('foreign_keys = ON');
    }
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function checkOwnership(db: Db, path: string): void {
  let appId: number;
  let userVersion: number;
  let tables: number;
  try {
    appId = db.pragma('application_id', { simple: true }) as number;
    userVersion = db.pragma('user_version', { simple: true }) as number;
    tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  } catch (err) {
    throw new GitjobsError('StateCorrupt', `${path} is not a readable SQLite database: ${(err as Error).message}`, { cause: err });
  }
  if (appId === 0 && userVersion === 0 && tables === 0) return; // a new, empty file
  if (appId !== APPLICATION_ID) {
    throw new GitjobsError('StateCorrupt', `${path} is not a gitjobs state database (application_id ${appId}); refusing to touch it`);
  }
  if (userVersion > SCHEMA_VERSION) {
    throw new GitjobsError(
      'StateCorrupt',
      `${path} has schema version ${userVersion}, newer than this gitjobs (${SCHEMA_VERSION}); upgrade gitjobs`,
    );
  }
}

/** Applies pending migrations, each in one transaction; returns the versions applied. */
export function migrate(db: Db): number[] {
  const applied: number[] = [];
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
