import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, Pod } from '../../src/api/types.js';
import { applyRetention } from '../../src/daemon/retention.js';
import { containerLogPath } from '../../src/executor/logs/paths.js';
import { openDb, type Db } from '../../src/store/db.js';
import { recordEvent, listEventsFor } from '../../src/store/events.js';
import { insertJob } from '../../src/store/jobs.js';
import { insertPod } from '../../src/store/pods.js';
import { insertRun, listRuns, markRunDeleted } from '../../src/store/runs.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-retention-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3600_000;

/** A run of `name` created at `at`, with one pod and a log file; deleted at `deletedAt` unless live. */
function run(name: string, n: number, at: number, deletedAt?: number): { uid: string; log: string } {
  const uid = `${name}-run-${n}`;
  const job = { uid, namespace: 'default', name, labels: {}, annotations: {}, creationTimestamp: at, generation: 1, spec: {} as Job['spec'], specHash: 'h', origin: { kind: 'dir', source: '/jobs' } } as Job;
  insertRun(db, job, 'new');
  if (deletedAt === undefined) insertJob(db, job);
  else markRunDeleted(db, uid, deletedAt, 'ttl-after-finished-controller');
  const pod = { uid: `${uid}-pod`, namespace: 'default', name: `${uid}-pod`, labels: {}, annotations: {}, owner: { uid, name }, creationTimestamp: at, trackingFinalizer: false, spec: { containers: [] } as unknown as Pod['spec'], status: { phase: 'Succeeded', conditions: [], containerStatuses: [], initContainerStatuses: [] } } as Pod;
  insertPod(db, pod, undefined, at);
  recordEvent(db, { object: { kind: 'Job', namespace: 'default', name, uid }, type: 'Normal', reason: 'Completed', message: 'Job completed', source: 'job-controller' }, at);
  recordEvent(db, { object: { kind: 'Pod', namespace: 'default', name: pod.name, uid: pod.uid }, type: 'Normal', reason: 'Started', message: 'Started container c', source: 'kubelet' }, at);
  const log = containerLogPath(dir, 'default', pod.name, pod.uid, 'c', 0);
  mkdirSync(join(log, '..'), { recursive: true });
  writeFileSync(log, 'hello\n');
  return { uid, log };
}

describe('retention of run history and logs', () => {
  it('keeps the newest deleted runs up to the limit and removes older ones with their pods, events and logs', () => {
    const now = 100 * HOUR;
    const runs = [1, 2, 3, 4].map((n) => run('pi', n, n * HOUR, n * HOUR + 1));
    const r = applyRetention(db, dir, { historyLimit: 2, logRetentionMs: 1000 * HOUR }, now);
    expect(r.runsRemoved).toBe(2);
    expect(listRuns(db, 'default', 'pi').map((x) => x.jobUid)).toEqual([runs[2]!.uid, runs[3]!.uid]);
    expect(existsSync(runs[0]!.log)).toBe(false);
    expect(existsSync(runs[3]!.log)).toBe(true);
    expect(listEventsFor(db, { kind: 'Job', namespace: 'default', name: 'pi', uid: runs[0]!.uid })).toEqual([]);
    expect(listEventsFor(db, { kind: 'Pod', namespace: 'default', name: `${runs[0]!.uid}-pod`, uid: `${runs[0]!.uid}-pod` })).toEqual([]);
    expect(listEventsFor(db, { kind: 'Pod', namespace: 'default', name: `${runs[3]!.uid}-pod`, uid: `${runs[3]!.uid}-pod` })).toHaveLength(1);
  });

  it('removes logs of runs deleted longer ago than the log retention but keeps their records', () => {
    const now = 100 * HOUR;
    const old = run('pi', 1, HOUR, 2 * HOUR);
    const recent = run('pi', 2, 98 * HOUR, 99 * HOUR);
    applyRetention(db, dir, { historyLimit: 10, logRetentionMs: 24 * HOUR }, now);
    expect(existsSync(old.log)).toBe(false);
    expect(existsSync(recent.log)).toBe(true);
    expect(listRuns(db, 'default', 'pi')).toHaveLength(2);
  });

  it('never touches a live Job, however old', () => {
    const live = run('pi', 1, HOUR);
    applyRetention(db, dir, { historyLimit: 0, logRetentionMs: 0 }, 1000 * HOUR);
    expect(existsSync(live.log)).toBe(true);
    expect(listRuns(db, 'default', 'pi')).toHaveLength(1);
  });
});
