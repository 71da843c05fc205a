import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertPod, listPodsForJob, listPodsForSync, removeFinalizer, settlePod } from '../../src/store/pods.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-pods-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function pod(i: number, phase: Pod['status']['phase']): Pod {
  return {
    uid: `p${i}`,
    namespace: 'default',
    name: `job-p${i}`,
    labels: {},
    annotations: {},
    owner: { uid: 'job', name: 'job' },
    creationTimestamp: i,
    trackingFinalizer: true,
    spec: { containers: [], initContainers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 30 },
    status: { phase, conditions: [], containerStatuses: [], initContainerStatuses: [] },
  };
}

describe('pods a reconcile pass reads', () => {
  it('settled pods beyond the most recent few are not read: a pass does not grow with the history', () => {
    for (let i = 0; i < 200; i++) {
      insertPod(db, pod(i, 'Succeeded'), undefined, i);
      removeFinalizer(db, `p${i}`);
      settlePod(db, `p${i}`, 1000 + i);
    }
    insertPod(db, pod(200, 'Running'), undefined, 200);
    insertPod(db, pod(201, 'Failed'), undefined, 201); // ended, not yet counted
    const read = listPodsForSync(db, 'job', 16);
    expect(read).toHaveLength(18);
    // The newest settled ones (by finish time), and every unsettled one.
    expect(read.filter((p) => p.uid.startsWith('p1')).map((p) => p.uid)).toContain('p199');
    expect(read.map((p) => p.uid)).toEqual(expect.arrayContaining(['p184', 'p199', 'p200', 'p201']));
    expect(read.map((p) => p.uid)).not.toContain('p183');
    expect(listPodsForJob(db, 'job')).toHaveLength(202);
  });

  it('the most recently finished settled pods are chosen by finish time, not creation order', () => {
    insertPod(db, pod(0, 'Succeeded'), undefined, 0); // created first, finished last
    settlePod(db, 'p0', 9_999);
    for (let i = 1; i <= 20; i++) {
      insertPod(db, pod(i, 'Failed'), undefined, i);
      settlePod(db, `p${i}`, 100 + i);
    }
    expect(listPodsForSync(db, 'job', 4).map((p) => p.uid)).toEqual(['p0', 'p18', 'p19', 'p20']);
  });
});
