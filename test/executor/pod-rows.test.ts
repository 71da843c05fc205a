import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/api/types.js';
import { PodRows } from '../../src/executor/pod-rows.js';
import { openDb, type Db } from '../../src/store/db.js';
import { listEventsFor } from '../../src/store/events.js';
import { getPod, insertPod, listContainerTerminations } from '../../src/store/pods.js';
import { barePod } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';
import { countTransactions } from '../../src/store/stats.js';

// The kubelet's view of a pod row, on a real SQLite file: a status held back
// while containers start is what the kubelet reads, and no one else sees it
// until it is written; the writes of one turn are one commit.

let dir: string;
let db: Db;
let told: string[];
let rows: PodRows;
const clock = { now: () => 5_000 };
beforeEach(() => {
  dir = tempDir('gitjobs-rows-');
  db = openDb(join(dir, 'gitjobs.db'));
  told = [];
  rows = new PodRows(db, clock, (p) => told.push(p.status.phase));
  db.transaction(() => insertPod(db, p, undefined, 0))();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const pending: PodStatus = { phase: 'Pending', conditions: [], containerStatuses: [], initContainerStatuses: [] };
const runningStatus: PodStatus = { ...pending, phase: 'Running' };
const p: Pod = barePod({ uid: 'u1', name: 'p1', containers: [], status: pending });

describe('pod rows as the kubelet keeps them', () => {
  it('a status put while containers start is held: the kubelet reads it, the row and the controller do not', () => {
    rows.put('u1', runningStatus, [], true);
    rows.flush();
    expect(rows.load('u1')?.status.phase).toBe('Running');
    expect(getPod(db, 'u1')?.status.phase).toBe('Pending');
    expect(told).toEqual([]);
  });

  it('a status put with nothing starting is written at the commit, and the held one dropped', () => {
    rows.hold('u1', { ...pending, phase: 'Failed' });
    rows.put('u1', runningStatus, [], false);
    expect(rows.load('u1')?.status.phase).toBe('Running');
    expect(getPod(db, 'u1')?.status.phase).toBe('Pending');
    rows.flush();
    expect(getPod(db, 'u1')?.status.phase).toBe('Running');
    expect(rows.load('u1')?.status.phase).toBe('Running');
  });

  it('a container end is recorded with the status in one write, and even while the status is held', () => {
    const end = { container: 'main', attempt: 0, exitCode: 1, reason: 'Error', finishedAt: 4_000, logPath: '' };
    rows.put('u1', runningStatus, [end], true);
    rows.flush();
    expect(listContainerTerminations(db, 'u1')).toMatchObject([{ container: 'main', exitCode: 1 }]);
    expect(getPod(db, 'u1')?.status.phase).toBe('Pending');
    rows.put('u1', runningStatus, [{ ...end, attempt: 1 }], false);
    rows.flush();
    expect(listContainerTerminations(db, 'u1').map((t) => t.attempt)).toEqual([0, 1]);
    expect(getPod(db, 'u1')?.status.phase).toBe('Running');
  });

  it('the controller is told when asked, with the row as written', () => {
    rows.put('u1', runningStatus, [], false);
    rows.flush();
    rows.notify('u1');
    expect(told).toEqual(['Running']);
  });

  it('a forgotten pod keeps nothing held', () => {
    rows.hold('u1', runningStatus);
    rows.forget('u1');
    expect(rows.load('u1')?.status.phase).toBe('Pending');
  });

  it('warnings are events on the pod from the kubelet', () => {
    rows.warn(p, 'UidRangeExhausted', 'every uid is in use');
    expect(listEventsFor(db, { kind: 'Pod', namespace: 'default', name: 'p1', uid: 'u1' })).toMatchObject([
      { type: 'Warning', reason: 'UidRangeExhausted', message: 'every uid is in use' },
    ]);
  });
});

describe('group commit', () => {
  const stats = (): number => (db.prepare('SELECT count(*) AS n FROM pod_status WHERE phase = ?').get('Succeeded') as { n: number }).n;
  const succeeded: PodStatus = { ...pending, phase: 'Succeeded' };
  beforeEach(() => {
    db.transaction(() => {
      for (const uid of ['u2', 'u3']) insertPod(db, barePod({ uid, name: `p-${uid}`, containers: [], status: pending }), undefined, 0);
    })();
  });

  it('the writes of one turn commit together at its end, and what waited on them runs after, in order', async () => {
    const order: string[] = [];
    const commits = countTransactions(db);
    for (const uid of ['u1', 'u2', 'u3']) rows.put(uid, succeeded, [], false, { written: () => order.push(`${uid}:${stats()}`) });
    expect(stats()).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(commits().transactions).toBe(1);
    // Each callback saw all three written: none ran before the commit.
    expect(order).toEqual(['u1:3', 'u2:3', 'u3:3']);
  });

  it('two writes of one pod in a turn are one: its ends in order, its newest status', () => {
    const end = { container: 'main', attempt: 0, exitCode: 0, reason: 'Completed', finishedAt: 4_000, logPath: '' };
    rows.put('u1', runningStatus, [end], false);
    rows.put('u1', succeeded, [{ ...end, attempt: 1 }], false);
    rows.flush();
    expect(getPod(db, 'u1')?.status.phase).toBe('Succeeded');
    expect(listContainerTerminations(db, 'u1').map((t) => t.attempt)).toEqual([0, 1]);
  });

  it('a write that cannot be made fails alone: the others commit, it keeps its status held and hears why', () => {
    db.exec(`CREATE TRIGGER refuse_u2 BEFORE UPDATE ON pod_status WHEN NEW.pod_uid = 'u2' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const heard: string[] = [];
    for (const uid of ['u1', 'u2', 'u3']) {
      rows.put(uid, succeeded, [], false, { written: () => heard.push(`${uid} written`), failed: (err) => heard.push(`${uid} failed: ${(err as Error).message}`) });
    }
    rows.flush();
    expect(heard).toEqual(['u1 written', 'u2 failed: refused', 'u3 written']);
    expect(getPod(db, 'u2')?.status.phase).toBe('Pending');
    expect(rows.load('u2')?.status.phase).toBe('Succeeded');
    expect(stats()).toBe(2);
  });
});
