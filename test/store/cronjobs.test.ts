import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CronJob } from '../../src/api/cronjob.js';
import { defaultCronJobSpec } from '../../src/manifest/cronjob.js';
import { changesSince } from '../../src/store/changes.js';
import {
  getCronJob,
  getCronJobStatus,
  insertCronJob,
  listCronJobsBySource,
  markCronJobDeleted,
  putCronJobStatus,
  removeCronJob,
  updateCronJob,
} from '../../src/store/cronjobs.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertJob, listJobsByOwner, listJobsBySource, releaseJobsOfOwner } from '../../src/store/jobs.js';
import { job } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-cronjobs-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function cronJob(): CronJob {
  return {
    uid: 'cj-1',
    namespace: 'default',
    name: 'nightly',
    labels: { team: 'build' },
    annotations: {},
    creationTimestamp: 1000,
    generation: 1,
    spec: defaultCronJobSpec({ schedule: '0 3 * * *', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', command: ['true'] }] } } } } }),
    origin: { kind: 'dir', source: '/jobs', path: 'n.yaml', line: 1, revision: 'sha256:1' },
  };
}

describe('the cronjobs tables', () => {
  it('keep a CronJob, its status and its deletion as written', () => {
    const c = cronJob();
    insertCronJob(db, c);
    expect(getCronJob(db, c.uid)).toEqual(c);
    updateCronJob(db, { ...c, generation: 2, spec: { ...c.spec, suspend: true } });
    expect(getCronJob(db, c.uid)?.spec.suspend).toBe(true);
    putCronJobStatus(db, c.uid, { active: [{ namespace: 'default', name: 'nightly-1', uid: 'j1' }], lastScheduleTime: 60_000 });
    expect(getCronJobStatus(db, c.uid)).toEqual({ active: [{ namespace: 'default', name: 'nightly-1', uid: 'j1' }], lastScheduleTime: 60_000 });
    markCronJobDeleted(db, c.uid, 5000, 'orphan');
    markCronJobDeleted(db, c.uid, 6000, 'background');
    // The first request's time and cascade stand.
    expect(getCronJob(db, c.uid)).toMatchObject({ deletionTimestamp: 5000, deletionCascade: 'orphan' });
    expect(listCronJobsBySource(db, '/jobs').map((x) => x.name)).toEqual(['nightly']);
  });

  it("append to the API's change log as Jobs do: ADDED, MODIFIED (status too), DELETED with the last form", () => {
    const c = cronJob();
    insertCronJob(db, c);
    updateCronJob(db, { ...c, generation: 2 });
    putCronJobStatus(db, c.uid, { active: [] });
    removeCronJob(db, c.uid);
    const changes = changesSince(db, 0, ['cronjobs']);
    expect(changes.map((x) => x.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    const last = changes.at(-1)?.deleted;
    expect(last?.kind === 'cronjobs' ? last.cronJob.spec.schedule : undefined).toBe('0 3 * * *');
  });

  it("a CronJob's Jobs are its own, not the source's, until orphaned", () => {
    insertCronJob(db, cronJob());
    insertJob(db, { ...job({ name: 'nightly-1' }), owner: { kind: 'CronJob', name: 'nightly', uid: 'cj-1' }, origin: { kind: 'dir', source: '/jobs' } });
    insertJob(db, { ...job({ name: 'plain' }), origin: { kind: 'dir', source: '/jobs' } });
    expect(listJobsBySource(db, '/jobs').map((j) => j.name)).toEqual(['plain']);
    expect(listJobsByOwner(db, 'cj-1').map((j) => j.name)).toEqual(['nightly-1']);
    releaseJobsOfOwner(db, 'cj-1', 'kubectl');
    expect(listJobsByOwner(db, 'cj-1')).toEqual([]);
    expect(listJobsBySource(db, '/jobs').map((j) => j.name)).toEqual(['plain']);
  });
});
