import Database from 'better-sqlite3';
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/api/types.js';
import { GitjobsError } from '../../src/errors.js';
import { openDb } from '../../src/store/db.js';
import { insertJob, getJobByName, listJobUidsNeedingSync, markJobDeleted } from '../../src/store/jobs.js';
import { recordEvent, listEventsFor } from '../../src/store/events.js';
import { putJobStatus, getJobStatus } from '../../src/store/status.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { tempDir } from '../helpers/e2e.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dbPath(): string {
  const d = tempDir('gitjobs-store-');
  dirs.push(d);
  return join(d, 'gitjobs.db');
}

function job(name: string, uid = `uid-${name}`): Job {
  return {
    uid,
    namespace: 'default',
    name,
    labels: { 'job-name': name },
    annotations: {},
    creationTimestamp: 1_000,
    generation: 1,
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed', template: { metadata: { labels: {}, annotations: {} }, spec: { containers: [], initContainers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 30 } } },
    specHash: 'h1',
    origin: { kind: 'dir', source: '/jobs', path: `${name}.yaml`, line: 1 },
  };
}

describe('state database', () => {
  it('a fresh database is migrated to the current schema with WAL and foreign keys', () => {
    const db = openDb(dbPath());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    db.close();
  });

  it('reopening an existing database keeps its rows and sets synchronous again', () => {
    const path = dbPath();
    const a = openDb(path);
    insertJob(a, job('pi'));
    a.close();
    const b = openDb(path);
    expect(getJobByName(b, 'default', 'pi')?.uid).toBe('uid-pi');
    expect(b.pragma('synchronous', { simple: true })).toBe(1);
    b.close();
  });

  it('a read-only handle reads while the writer holds the database, and cannot write', () => {
    const path = dbPath();
    const w = openDb(path);
    insertJob(w, job('a'));
    const r = openDb(path, { readonly: true });
    w.exec('BEGIN IMMEDIATE');
    insertJob(w, job('b'));
    // The reader sees the last committed snapshot without waiting for the writer.
    expect(getJobByName(r, 'default', 'a')).toBeDefined();
    expect(getJobByName(r, 'default', 'b')).toBeUndefined();
    w.exec('COMMIT');
    expect(getJobByName(r, 'default', 'b')).toBeDefined();
    expect(() => insertJob(r, job('c'))).toThrow(/readonly/);
    r.close();
    w.close();
  });

  it('a foreign SQLite database is refused and left untouched', () => {
    const path = dbPath();
    const other = new Database(path);
    other.exec('CREATE TABLE mine (x)');
    other.close();
    expect(() => openDb(path)).toThrow(GitjobsError);
    expect(() => openDb(path)).toThrow(/not a gitjobs state database/);
    const check = new Database(path);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type='table'").all()).toEqual([{ name: 'mine' }]);
    check.close();
  });

  it('a file that is not SQLite at all is refused with a clear message', () => {
    const path = dbPath();
    writeFileSync(path, 'this is not a database, but someone put it here\n'.repeat(100));
    expect(() => openDb(path)).toThrow(/not a readable SQLite database|cannot open state database/);
  });

  it('a missing database is NotFound for the read-only CLI path', () => {
    expect(() => openDb(dbPath(), { readonly: true })).toThrow(/no state database/);
  });

  it('a database from a newer gitjobs is refused', () => {
    const path = dbPath();
    openDb(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDb(path)).toThrow(/newer than this gitjobs/);
  });

  it('status and conditions round-trip, and deleting the Job removes them', () => {
    const db = openDb(dbPath());
    insertJob(db, job('pi'));
    putJobStatus(db, 'uid-pi', {
      conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: 5, lastTransitionTime: 5 }],
      startTime: 2,
      completionTime: 5,
      active: 0,
      ready: 0,
      terminating: 0,
      succeeded: 1,
      failed: 0,
      completedIndexes: '',
    });
    expect(getJobStatus(db, 'uid-pi')).toMatchObject({ succeeded: 1, startTime: 2, completionTime: 5, conditions: [{ type: 'Complete' }] });
    db.prepare('DELETE FROM jobs WHERE uid = ?').run('uid-pi');
    expect(getJobStatus(db, 'uid-pi')).toBeUndefined();
    db.close();
  });

  it('finished Jobs without a TTL are not queued on resync: a pass does not grow with history', () => {
    const db = openDb(dbPath());
    for (let i = 0; i < 50; i++) {
      insertJob(db, job(`done-${i}`));
      putJobStatus(db, `uid-done-${i}`, { conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: '', lastProbeTime: 1, lastTransitionTime: 1 }], active: 0, ready: 0, terminating: 0, succeeded: 1, failed: 0, completedIndexes: '' });
    }
    insertJob(db, job('running'));
    insertJob(db, job('deleting'));
    putJobStatus(db, 'uid-deleting', { conditions: [{ type: 'Complete', status: 'True', reason: 'x', message: '', lastProbeTime: 1, lastTransitionTime: 1 }], active: 0, ready: 0, terminating: 0, succeeded: 1, failed: 0, completedIndexes: '' });
    markJobDeleted(db, 'uid-deleting', 9);
    expect(listJobUidsNeedingSync(db).sort()).toEqual(['uid-deleting', 'uid-running']);
    db.close();
  });

  it('a repeated event bumps the count of the last one instead of adding a row', () => {
    const db = openDb(dbPath());
    const object = { kind: 'Job' as const, namespace: 'default', name: 'pi', uid: 'u' };
    recordEvent(db, { object, type: 'Warning', reason: 'FailedCreate', message: 'boom', source: 'job-controller' }, 10);
    recordEvent(db, { object, type: 'Warning', reason: 'FailedCreate', message: 'boom', source: 'job-controller' }, 20);
    recordEvent(db, { object, type: 'Normal', reason: 'Completed', message: 'Job completed', source: 'job-controller' }, 30);
    const events = listEventsFor(db, object);
    expect(events.map((e) => [e.reason, e.count, e.firstTimestamp, e.lastTimestamp])).toEqual([
      ['FailedCreate', 2, 10, 20],
      ['Completed', 1, 30, 30],
    ]);
    db.close();
  });
});
