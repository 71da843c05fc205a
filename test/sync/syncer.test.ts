import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifest, type ManifestResult } from '../../src/manifest/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { sourceRef } from '../../src/api/source-ref.js';
import { listEventsFor } from '../../src/store/events.js';
import { getJobByName, listJobsBySource, removeJob, updateJob } from '../../src/store/jobs.js';
import { listRuns, markRunDeleted } from '../../src/store/runs.js';
import { listSources } from '../../src/store/sources.js';
import { syncSource, type SourceSnapshot } from '../../src/sync/syncer.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/e2e.js';

const job = (name: string, opts: { parallelism?: number; command?: string; extraMeta?: string } = {}) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
${opts.extraMeta ?? ''}spec:
  parallelism: ${opts.parallelism ?? 1}
  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "${opts.command ?? 'true'}"]
      restartPolicy: Never
`;

function manifests(files: Record<string, string>): ManifestResult {
  const out: ManifestResult = { jobs: [], issues: [] };
  for (const [f, text] of Object.entries(files)) {
    const r = parseManifest(text, f);
    out.jobs.push(...r.jobs);
    out.issues.push(...r.issues);
  }
  return out;
}

let dir: string;
let db: Db;
let now = 1_000_000;
const issues = new Set<string>();
const snap = (files: Record<string, string>, revision = 'r1'): SourceSnapshot => ({ name: '/jobs', kind: 'dir', url: '/jobs', revision, manifests: manifests(files) });
const sync = (files: Record<string, string>, revision?: string) => syncSource(db, snap(files, revision), (now += 1000), silentLogger, issues);

beforeEach(() => {
  dir = tempDir('gitjobs-sync-');
  db = openDb(join(dir, 'gitjobs.db'));
  issues.clear();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('source sync', () => {
  it('a new manifest creates a Job with a generated selector and a run record', () => {
    const r = sync({ 'pi.yaml': job('pi') });
    expect(r.created).toBe(1);
    const pi = getJobByName(db, 'default', 'pi')!;
    expect(pi.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(pi.uid);
    expect(pi.origin).toMatchObject({ kind: 'dir', source: '/jobs', path: 'pi.yaml', revision: 'r1' });
    expect(listRuns(db, 'default', 'pi')).toMatchObject([{ jobUid: pi.uid, trigger: 'new' }]);
  });

  it('the same manifests again change nothing', () => {
    sync({ 'pi.yaml': job('pi') });
    expect(sync({ 'pi.yaml': job('pi') }, 'r2')).toMatchObject({ created: 0, updated: 0, replaced: 0, pruned: 0, changed: [] });
  });

  it('a changed mutable field is applied in place, with a new generation', () => {
    sync({ 'pi.yaml': job('pi') });
    const before = getJobByName(db, 'default', 'pi')!;
    expect(sync({ 'pi.yaml': job('pi', { parallelism: 3 }) }).updated).toBe(1);
    const after = getJobByName(db, 'default', 'pi')!;
    expect(after.uid).toBe(before.uid);
    expect(after.spec.parallelism).toBe(3);
    expect(after.generation).toBe(2);
  });

  it('a value set through the CLI survives rescans until the manifest changes that field', () => {
    sync({ 'pi.yaml': job('pi') });
    const live = getJobByName(db, 'default', 'pi')!;
    updateJob(db, { ...live, spec: { ...live.spec, parallelism: 5, suspend: true }, generation: live.generation + 1 });
    sync({ 'pi.yaml': job('pi'), 'other.yaml': job('other') });
    expect(getJobByName(db, 'default', 'pi')!.spec).toMatchObject({ parallelism: 5, suspend: true });
    sync({ 'pi.yaml': job('pi', { parallelism: 2 }), 'other.yaml': job('other') });
    // The manifest changed parallelism: it wins for that field; suspend stays as the user set it.
    expect(getJobByName(db, 'default', 'pi')!.spec).toMatchObject({ parallelism: 2, suspend: true });
  });

  it('a changed command supersedes the run: the old Job is deleted with an event naming the fields', () => {
    sync({ 'pi.yaml': job('pi') });
    const old = getJobByName(db, 'default', 'pi')!;
    expect(sync({ 'pi.yaml': job('pi', { command: 'echo new' }) }).replaced).toBe(1);
    expect(getJobByName(db, 'default', 'pi')!.deletionTimestamp).toBeDefined();
    expect(listEventsFor(db, { kind: 'Job', namespace: 'default', name: 'pi', uid: old.uid })).toMatchObject([
      { reason: 'Superseded', message: expect.stringContaining('spec.template') },
    ]);
    // Once the controller has removed it, the next sync starts the new run.
    removeJob(db, old.uid);
    expect(sync({ 'pi.yaml': job('pi', { command: 'echo new' }) }).created).toBe(1);
    expect(listRuns(db, 'default', 'pi').map((r) => [r.trigger, r.deletedBy])).toEqual([
      ['new', 'superseded'],
      ['spec-change', undefined],
    ]);
  });

  it('a removed manifest prunes its Job, unless annotated gitjobs.io/prune: "false"', () => {
    sync({ 'a.yaml': job('a'), 'b.yaml': job('b', { extraMeta: '  annotations:\n    gitjobs.io/prune: "false"\n' }) });
    expect(sync({}).pruned).toBe(1);
    expect(getJobByName(db, 'default', 'a')!.deletionTimestamp).toBeDefined();
    expect(getJobByName(db, 'default', 'b')!.deletionTimestamp).toBeUndefined();
  });

  it('a spec deleted by its TTL or by a user is not started again; a pruned one is, when it comes back', () => {
    sync({ 'ttl.yaml': job('ttl'), 'gone.yaml': job('gone'), 'pruned.yaml': job('pruned') });
    for (const [name, by] of [['ttl', 'ttl-after-finished-controller'], ['gone', 'kubectl'], ['pruned', 'pruned']] as const) {
      const j = getJobByName(db, 'default', name)!;
      markRunDeleted(db, j.uid, now, by);
      removeJob(db, j.uid);
    }
    const r = sync({ 'ttl.yaml': job('ttl'), 'gone.yaml': job('gone'), 'pruned.yaml': job('pruned') });
    expect(r.created).toBe(1);
    expect(listJobsBySource(db, '/jobs').map((j) => j.name)).toEqual(['pruned']);
    // A changed spec under the same name is a new request.
    expect(sync({ 'ttl.yaml': job('ttl', { command: 'echo v2' }) }).created).toBe(1);
  });

  it('a file that stops parsing keeps its Job at the last good spec and is reported with file:line', () => {
    sync({ 'pi.yaml': job('pi'), 'ok.yaml': job('ok') });
    const r = sync({ 'pi.yaml': job('pi').replace('restartPolicy: Never', 'restartPolicy: Always'), 'ok.yaml': job('ok', { parallelism: 2 }) });
    expect(r.pruned).toBe(0);
    expect(getJobByName(db, 'default', 'pi')!.deletionTimestamp).toBeUndefined();
    expect(getJobByName(db, 'default', 'ok')!.spec.parallelism).toBe(2);
    const [source] = listSources(db);
    expect(source!.ready).toBe(false);
    expect(source!.issues).toMatchObject([{ file: 'pi.yaml', field: 'spec.template.spec.restartPolicy' }]);
    expect(listEventsFor(db, sourceRef('/jobs'))[0]!.message).toMatch(/^pi\.yaml:\d+:\d+: spec\.template\.spec\.restartPolicy/);
  });

  it('two manifests with the same name are both reported and neither is applied', () => {
    const r = sync({ 'a.yaml': job('dup'), 'b.yaml': job('dup') });
    expect(r.created).toBe(0);
    expect(getJobByName(db, 'default', 'dup')).toBeUndefined();
    expect(listSources(db)[0]!.issues.map((i) => i.file).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  it('a manifest whose name is taken by a Job from elsewhere is reported and the others still apply', () => {
    const other: SourceSnapshot = { ...snap({ 'x.yaml': job('taken') }), name: '/elsewhere', url: '/elsewhere' };
    syncSource(db, other, (now += 1000), silentLogger, new Set());
    const r = sync({ 'taken.yaml': job('taken'), 'free.yaml': job('free') });
    expect(r.created).toBe(1);
    expect(getJobByName(db, 'default', 'taken')!.origin.source).toBe('/elsewhere');
    expect(listEventsFor(db, sourceRef('/jobs')).map((e) => e.reason)).toContain('AlreadyExists');
  });
});
