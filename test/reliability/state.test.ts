// The state database under faults: crashes inside writes, long readers,
// competing writers, failed migrations, damaged files, a full disk.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointWal } from '../../src/store/checkpoint.js';
import { migrate, openDb, STATE_DB_FILE } from '../../src/store/db.js';
import { recordEvent } from '../../src/store/events.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { CLI, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, podsOf, shJob } from './harness.js';

let handles: DaemonHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = tempDir('gitjobs-state-');
  dirs.push(d);
  return d;
}

/** Starts the daemon and expects it to refuse; returns its exit code and output. */
function refusedStart(dir: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [CLI, 'daemon', '--jobs', join(dir, 'jobs'), '--state', join(dir, 'state')], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, output: r.stdout + r.stderr };
}

describe('state database under faults', () => {
  it('synchronous is NORMAL and the busy timeout set on every open, including a reopened WAL database (27)', () => {
    const path = join(freshDir(), STATE_DB_FILE);
    for (let i = 0; i < 2; i++) {
      const db = openDb(path);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      db.close();
    }
  });

  it('a long CLI read holds the WAL back only until it ends: the next checkpoint empties it (22)', () => {
    const path = join(freshDir(), STATE_DB_FILE);
    const db = openDb(path);
    const reader = openDb(path, { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM events').get();
    const object = { kind: 'Job' as const, namespace: 'default', name: 'x' };
    const write = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) recordEvent(db, { object, type: 'Normal', reason: 'R', message: `m${i} ${'x'.repeat(200)}`, source: 's' }, i);
    });
    for (let i = 0; i < 20; i++) write(500);
    const held = checkpointWal(db, `${path}-wal`);
    expect(held.busy).toBe(true);
    expect(held.walBytes).toBeGreaterThan(1024 * 1024);
    reader.exec('COMMIT');
    const after = checkpointWal(db, `${path}-wal`);
    expect(after).toEqual({ busy: false, walBytes: 0 });
    reader.close();
    db.close();
  });

  it('a writer that meets another writer waits within the busy timeout instead of failing (23)', async () => {
    const path = join(freshDir(), STATE_DB_FILE);
    const db = openDb(path);
    // Another process holds the write lock for 400 ms, as a CLI `delete` would briefly.
    const holder = spawn(process.execPath, ['-e', `
      const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const db = new D(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE'); db.exec("INSERT INTO sources (name, kind, url) VALUES ('other', 'dir', '/x')");
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
      db.exec('COMMIT');`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => holder.stdout!.once('data', () => r()));
    const t0 = Date.now();
    db.prepare("INSERT INTO sources (name, kind, url) VALUES ('mine', 'dir', '/y')").run();
    expect(Date.now() - t0).toBeGreaterThan(200);
    await new Promise((r) => holder.once('exit', r));
    expect(db.prepare('SELECT name FROM sources ORDER BY name').all()).toEqual([{ name: 'mine' }, { name: 'other' }]);
    db.close();
  });

  it('a migration that fails half-way is rolled back whole: schema and version as before (25)', () => {
    const path = join(freshDir(), STATE_DB_FILE);
    openDb(path).close();
    const db = new Database(path);
    const broken = [{ version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE half_done (x); ALTER TABLE no_such_table ADD COLUMN y' }];
    expect(() => migrate(db, broken)).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1} \\(broken\\) failed: .*left at version ${SCHEMA_VERSION}`));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all()).toEqual([]);
    db.close();
    expect(() => openDb(path).close()).not.toThrow();
  });

  it.each([
    ['garbage', (path: string) => writeFileSync(path, 'not a database\n'.repeat(500)), /not a readable SQLite database|cannot open state database/],
    ['a damaged page', (path: string) => damagePage(path), /is damaged .*refusing to start/],
  ])('a state database that is %s: the daemon refuses to start, says why, and leaves the file as it was (26)', async (_what, spoil, message) => {
    const dir = freshDir();
    if (_what === 'a damaged page') {
      const d = await startDaemon({ dir, files: { 'ok.yaml': shJob('ok', 'true') } });
      handles.push(d);
      await waitFor('ok complete', () => hasCondition(d.stateDir, 'ok', 'Complete'));
      await d.stop('SIGTERM');
    } else {
      spawnSync('mkdir', ['-p', join(dir, 'state'), join(dir, 'jobs')]);
    }
    const path = join(dir, 'state', STATE_DB_FILE);
    spoil(path);
    const before = readFileSync(path);
    const r = refusedStart(dir);
    expect(r.code).toBe(1);
    expect(r.output, r.output).toMatch(message);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('the daemon SIGKILLed inside a write transaction: integrity ok, the partial write absent, the work done once on restart (21)', async () => {
    const dir = freshDir();
    const files = { 'five.yaml': shJob('five', 'true', '  parallelism: 5\n  completions: 5\n') };
    // Dies while the controller's transaction that creates five pods is on its third pod row.
    const crashing = startDaemon({ dir, files, env: { GITJOBS_TEST_CRASH_AT: 'insert:pods:3' } });
    await expect(crashing).rejects.toThrow();
    const path = join(dir, 'state', STATE_DB_FILE);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare('SELECT count(*) AS n FROM pods').get()).toEqual({ n: 0 });
    expect(check.prepare("SELECT count(*) AS n FROM events WHERE reason = 'SuccessfulCreate'").get()).toEqual({ n: 0 });
    expect(check.prepare("SELECT count(*) AS n FROM jobs WHERE name = 'five'").get()).toEqual({ n: 1 });
    check.close();
    const d = await startDaemon({ dir });
    handles.push(d);
    await waitFor('five complete', () => hasCondition(d.stateDir, 'five', 'Complete'));
    expect(jobStatus(d.stateDir, 'five')).toMatchObject({ succeeded: 5, failed: 0 });
    expect(podsOf(d.stateDir, 'five')).toHaveLength(5);
    await checkInvariants(d);
  });
});

/** Overwrites the middle of the last page of a table's b-tree: the header stays valid, the content does not. */
function damagePage(path: string): void {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'events'").get() as { rootpage: number }).rootpage;
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (root - 1) * pageSize + 8);
  closeSync(fd);
  expect(statSync(path).size).toBeGreaterThan(root * pageSize - 1);
}
