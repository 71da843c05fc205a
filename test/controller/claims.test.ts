import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, Pod } from '../../src/api/types.js';
import { JobController } from '../../src/controller/controller.js';
import { DEFAULT_RECONCILE_OPTIONS } from '../../src/reconcile/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertJob } from '../../src/store/jobs.js';
import { getPod, insertPod, listPodsForJob } from '../../src/store/pods.js';
import { insertRun } from '../../src/store/runs.js';
import { job, pod, T0 } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

// The controller's claim step against a real store: what `get pods -o json`
// then shows as the pod's owner, and what the Job counts.

let dir: string;
let db: Db;
const synced: string[] = [];
beforeEach(() => {
  dir = tempDir('gitjobs-claims-');
  db = openDb(join(dir, 'gitjobs.db'));
  synced.length = 0;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as ConstructorParameters<typeof JobController>[0]['logger'];

function controller(): JobController {
  return new JobController({
    db,
    clock: { now: () => T0 + 1000 },
    logger: silent,
    reconcile: DEFAULT_RECONCILE_OPTIONS,
    runtime: { syncPod: (uid) => synced.push(uid) },
  });
}

function store(j: Job, pods: Pod[]): void {
  insertJob(db, j);
  insertRun(db, j, 'new');
  for (const p of pods) insertPod(db, p, undefined, T0);
}

describe('JobController claims pods', () => {
  const shared = (name: string): Job =>
    job({ name, spec: { manualSelector: true, selector: { matchLabels: { app: 'shared' } }, template: {} } });

  it('adopts a running orphan: it becomes active, gets the tracking finalizer, and no pod is created for it', () => {
    const j = shared('new');
    j.spec.template.metadata.labels = { app: 'shared' };
    const orphan: Pod = { ...pod({ job: job({ name: 'old' }) }), labels: { app: 'shared' }, trackingFinalizer: false };
    delete orphan.owner;
    store(j, [orphan]);
    controller().sync(j.uid);
    expect(getPod(db, orphan.uid)?.owner).toEqual({ uid: j.uid, name: 'new' });
    expect(getPod(db, orphan.uid)?.trackingFinalizer).toBe(true);
    expect(listPodsForJob(db, j.uid)).toHaveLength(1);
  });

  it('releases an own pod that stopped matching, drops its finalizer, and replaces it', () => {
    const j = shared('mine');
    j.spec.template.metadata.labels = { app: 'shared' };
    const p: Pod = { ...pod({ job: j }), labels: { app: 'other' } };
    store(j, [p]);
    controller().sync(j.uid);
    expect(getPod(db, p.uid)?.owner).toBeUndefined();
    expect(getPod(db, p.uid)?.trackingFinalizer).toBe(false);
    const now = listPodsForJob(db, j.uid);
    expect(now).toHaveLength(1);
    expect(now[0]!.uid).not.toBe(p.uid);
  });

  it('leaves a pod owned by another Job with it', () => {
    const a = shared('a');
    const b = shared('b');
    const p: Pod = { ...pod({ job: a }), labels: { app: 'shared' } };
    store(a, [p]);
    store(b, []);
    controller().sync(b.uid);
    expect(getPod(db, p.uid)?.owner?.name).toBe('a');
  });
});
