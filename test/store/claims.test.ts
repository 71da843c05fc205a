import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { listOrphanPods, ORPHAN_PODS_SQL } from '../../src/store/claims.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertPod } from '../../src/store/pods.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-claims-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function pod(i: number, owner: Pod['owner']): Pod {
  return {
    uid: `p${i}`,
    namespace: 'default',
    name: `p${i}`,
    labels: { app: 'x' },
    annotations: {},
    ...(owner === undefined ? {} : { owner }),
    creationTimestamp: i,
    trackingFinalizer: owner !== undefined,
    spec: { containers: [], initContainers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 30 },
    status: { phase: 'Succeeded', conditions: [], containerStatuses: [], initContainerStatuses: [] },
  };
}

describe('orphan pods', () => {
  it('are found among many owned pods, oldest first', () => {
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insertPod(db, pod(i, i % 200 === 7 ? undefined : { uid: 'job', name: 'job' }), undefined, i);
    })();
    expect(listOrphanPods(db, 'default').map((p) => p.uid)).toEqual(['p7', 'p207', 'p407']);
    expect(listOrphanPods(db, 'other')).toEqual([]);
  });

  it("a pass reads the orphans through their own index, not every pod of the namespace (a long Job's passes do not slow down)", () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${ORPHAN_PODS_SQL}`).all('default') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toContain('USING INDEX pods_orphans');
  });
});
