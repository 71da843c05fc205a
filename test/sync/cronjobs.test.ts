import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifest, type ManifestResult } from '../../src/manifest/index.js';
import { getCronJobByName } from '../../src/store/cronjobs.js';
import { openDb, type Db } from '../../src/store/db.js';
import { patchCronJob } from '../../src/sync/manual-cronjob.js';
import { syncSource, type SourceSnapshot } from '../../src/sync/syncer.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/e2e.js';

const cron = (name: string, o: { schedule?: string; suspend?: boolean; meta?: string; command?: string } = {}) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
${o.meta ?? ''}spec:
  schedule: "${o.schedule ?? '0 3 * * *'}"
${o.suspend === undefined ? '' : `  suspend: ${o.suspend}\n`}  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
            command: ["${o.command ?? 'true'}"]
`;

function manifests(files: Record<string, string>): ManifestResult {
  const out: ManifestResult = { jobs: [], issues: [], cronJobs: [] };
  for (const [f, text] of Object.entries(files)) {
    const r = parseManifest(text, f);
    out.jobs.push(...r.jobs);
    out.issues.push(...r.issues);
    out.cronJobs!.push(...(r.cronJobs ?? []));
  }
  return out;
}

let dir: string;
let db: Db;
let now = 1_000_000;
const snap = (files: Record<string, string>, revision = 'r1'): SourceSnapshot => ({ name: '/jobs', kind: 'dir', url: '/jobs', revision, manifests: manifests(files) });
const sync = (files: Record<string, string>, revision?: string) => syncSource(db, snap(files, revision), (now += 1000), silentLogger, new Set());
const get = (name: string) => getCronJobByName(db, 'default', name);

beforeEach(() => {
  dir = tempDir('gitjobs-sync-cron-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CronJobs from the source', () => {
  it('a new manifest creates the CronJob; the same snapshot again changes nothing', () => {
    const first = sync({ 'n.yaml': cron('nightly') });
    expect(first.changedCronJobs).toHaveLength(1);
    expect(get('nightly')).toMatchObject({ generation: 1, origin: { kind: 'dir', source: '/jobs', path: 'n.yaml', line: 1, revision: 'r1' } });
    expect(sync({ 'n.yaml': cron('nightly') }).changedCronJobs).toEqual([]);
  });

  it('any field changes in place (a new generation), keeping the uid', () => {
    sync({ 'n.yaml': cron('nightly') });
    const uid = get('nightly')!.uid;
    sync({ 'n.yaml': cron('nightly', { schedule: '*/5 * * * *', command: 'false' }) });
    const c = get('nightly')!;
    expect(c.uid).toBe(uid);
    expect(c.generation).toBe(2);
    expect(c.spec.schedule).toBe('*/5 * * * *');
    expect(c.spec.jobTemplate.spec.template.spec.containers[0]!.command).toEqual(['false']);
  });

  it('a patched suspend survives rescans until the manifest changes suspend itself', () => {
    sync({ 'n.yaml': cron('nightly') });
    expect(patchCronJob(db, 'default', 'nightly', { spec: { suspend: true } }).changed).toBe(true);
    sync({ 'n.yaml': cron('nightly', { schedule: '0 4 * * *' }) });
    expect(get('nightly')!.spec).toMatchObject({ suspend: true, schedule: '0 4 * * *' });
    // The manifest writing suspend itself, then changing it: the manifest wins from then on.
    sync({ 'n.yaml': cron('nightly', { schedule: '0 4 * * *', suspend: true }) });
    sync({ 'n.yaml': cron('nightly', { schedule: '0 4 * * *', suspend: false }) });
    expect(get('nightly')!.spec.suspend).toBe(false);
  });

  it('removed from the source: deleted (with its Jobs, by the controller); unless the prune annotation says false', () => {
    sync({ 'a.yaml': cron('a'), 'b.yaml': cron('b', { meta: '  annotations: {gitjobs.io/prune: "false"}\n' }) });
    const r = sync({});
    expect(r.changedCronJobs).toEqual([get('a')!.uid]);
    expect(get('a')).toMatchObject({ deletionCascade: 'background' });
    expect(get('a')!.deletionTimestamp).toBeDefined();
    expect(get('b')!.deletionTimestamp).toBeUndefined();
  });

  it('a file that stops parsing keeps its CronJob as it was', () => {
    sync({ 'n.yaml': cron('nightly') });
    sync({ 'n.yaml': cron('nightly', { schedule: '61 * * * *' }) });
    expect(get('nightly')).toMatchObject({ generation: 1, spec: { schedule: '0 3 * * *' } });
    expect(get('nightly')!.deletionTimestamp).toBeUndefined();
  });

  it('a patch is validated as on create', () => {
    sync({ 'n.yaml': cron('nightly') });
    expect(() => patchCronJob(db, 'default', 'nightly', { spec: { timeZone: 'Mars/Olympus' } })).toThrow(
      'The CronJob "nightly" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    );
    expect(() => patchCronJob(db, 'default', 'nightly', { spec: { jobTemplate: {} } })).toThrow(/spec\.jobTemplate: .*change the CronJob's manifest/);
    expect(() => patchCronJob(db, 'default', 'missing', { spec: { suspend: true } })).toThrow('Error from server (NotFound): cronjobs.batch "missing" not found');
  });
});
