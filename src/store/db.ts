import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GitjobsError } from '../errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, type Migration } from './schema.js';
import { installTestSeams } from './test-seams.js';

// Required rather than imported: an ESM import of a CommonJS package first
// parses its source for named exports, a visible share of a CLI command's start-up.
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

let addonPath: string | undefined | null = null;
/**
 * better-sqlite3 finds its compiled addon through `bindings`, which probes a
 * dozen paths; the usual place is tried first (undefined: let it search).
 */
function nativeAddon(): string | undefined {
  if (addonPath === null) {
    const p = join(dirname(require.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
    addonPath = existsSync(p) ? p : undefined;
  }
  return addonPath;
}

export type Db = BetterSqlite3.Database;

export const STATE_DB_FILE = 'gitjobs.db';

export interface OpenOptions {
  readonly?: boolean;
  /**
   * Read every page once before use (the daemon does): a database damaged by a
   * disk fault or a stray write is refused at start instead of failing later.
   */
  verify?: boolean;
}

/** How long a writer waits for another writer (the CLI's `delete`, `scale`) before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

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
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeAddon() });
  } catch (err) {
    throw new GitjobsError('StateCorrupt', `cannot open state database ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    checkOwnership(db, path);
    if (options.verify === true) checkIntegrity(db, path);
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // Reopening a WAL database reports a different default, so always say it.
      // NORMAL survives any crash of the process; a power loss may lose the last
      // commits (never corrupt the file), which re-attach and re-derive from pod records.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      installTestSeams(db);
    } else {
      db.pragma('foreign_keys = ON');
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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

function checkIntegrity(db: Db, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check.replace(/\s*\n\s*/g, ' ')).filter((r) => r !== 'ok');
  } catch (err) {
    problems = [(err as Error).message];
  }
  if (problems.length > 0) {
    throw new GitjobsError(
      'StateCorrupt',
      `${path} is damaged (${problems.join('; ')}); refusing to start. Nothing was written to it: move it aside to start afresh, or restore a backup`,
    );
  }
}

/**
 * Applies pending migrations, each in one transaction with its `user_version`
 * bump, so a failure or a crash leaves the previous version intact, never half
 * of one. Returns the versions applied.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const applied: number[] = [];
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (err) {
      const at = db.pragma('user_version', { simple: true }) as number;
      throw new GitjobsError('Internal', `migrating the state database to schema version ${m.version} (${m.description}) failed: ${(err as Error).message}; it was left at version ${at}`, { cause: err });
    }
    applied.push(m.version);
  }
  return applied;
}
