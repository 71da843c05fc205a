import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/api/types.js';
import { PodRows } from '../../src/executor/pod-rows.js';
import { openDb, type Db } from '../../src/store/db.js';
import { listEventsFor } from '../../src/store/events.js';
import { getPod, insertPod } from '../../src/store/pods.js';
import { barePod } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

// The kubelet's view of a pod row, on a real SQLite file: a status held back
// while containers start is what the kubelet reads, and no one else sees it
// until it is written.

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
  it('a status saved while containers start is held: the kubelet reads it, the row and the controller do not', () => {
    rows.save(p, runningStatus, true);
    expect(rows.load('u1')?.status.phase).toBe('Running');
    expect(getPod(db, 'u1')?.status.phase).toBe('Pending');
    expect(told).toEqual([]);
  });

  it('a status saved with nothing starting is written and the controller told', () => {
    rows.save(p, runningStatus, false);
    expect(getPod(db, 'u1')?.status.phase).toBe('Running');
    expect(told).toEqual(['Running']);
  });

  it('once written by the caller’s own transaction, the held status is dropped', () => {
    rows.hold('u1', runningStatus);
    rows.written('u1');
    expect(rows.load('u1')?.status.phase).toBe('Pending');
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
