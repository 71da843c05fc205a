import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/api/types.js';
import { GitjobsError } from '../../src/errors.js';
import { materializeJob, parseManifest, type ParsedJob } from '../../src/manifest/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { getJobByName, insertJob } from '../../src/store/jobs.js';
import { getPod, insertPod, listPods } from '../../src/store/pods.js';
import { insertRun, listRuns } from '../../src/store/runs.js';
import { applyJob, deleteJob, LAST_APPLIED_ANNOTATION, patchJob } from '../../src/sync/manual.js';
import { pod } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

const NOW = Date.UTC(2025, 5, 1);

function manifest(name: string, spec: { parallelism?: number; completions?: number; command?: string; labels?: string } = {}): string {
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    ...(spec.labels === undefined ? [] : ['  labels:', `    ${spec.labels}`]),
    'spec:',
    ...(spec.parallelism === undefined ? [] : [`  parallelism: ${spec.parallelism}`]),
    ...(spec.completions === undefined ? [] : [`  completions: ${spec.completions}`]),
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '      - name: main',
    `        command: ["${spec.command ?? 'true'}"]`,
    '',
  ].join('\n');
}

function parsed(text: string, file = 'job.yaml'): ParsedJob {
  const { jobs, issues } = parseManifest(text, file);
  expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  return jobs[0]!;
}

function errorOf(fn: () => unknown): GitjobsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GitjobsError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

/** A Job as the source sync writes it. */
function sourceJob(db: Db, name: string): Job {
  const p = parsed(manifest(name), `${name}.yaml`);
  const uid = `uid-${name}`;
  const { labels, spec } = materializeJob(p, uid);
  const job: Job = {
    uid,
    namespace: 'default',
    name,
    labels,
    annotations: {},
    creationTimestamp: NOW,
    generation: 1,
    spec,
    specHash: p.specHash,
    origin: { kind: 'dir', source: '/srv/jobs', path: `${name}.yaml`, line: 2 },
  };
  insertJob(db, job);
  insertRun(db, job, 'new');
  return job;
}

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-manual-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('apply and create', () => {
  it('a new name is created as an ad-hoc Job with its run recorded as applied', () => {
    const r = applyJob(db, parsed(manifest('pi')), 'apply', NOW);
    expect(r.outcome).toBe('created');
    const stored = getJobByName(db, 'default', 'pi')!;
    expect(stored.origin).toMatchObject({ kind: 'apply', source: 'kubectl', path: 'job.yaml' });
    expect(stored.generation).toBe(1);
    expect(stored.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(stored.uid);
    expect(listRuns(db, 'default', 'pi').map((run) => run.trigger)).toEqual(['apply']);
  });

  it('apply records the applied manifest the way kubectl does; create does not', () => {
    applyJob(db, parsed(manifest('a')), 'apply', NOW);
    applyJob(db, parsed(manifest('b')), 'create', NOW);
    const applied = getJobByName(db, 'default', 'a')!.annotations[LAST_APPLIED_ANNOTATION]!;
    expect(JSON.parse(applied)).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'a', namespace: 'default', annotations: {} } });
    expect(applied.endsWith('}\n')).toBe(true);
    expect(getJobByName(db, 'default', 'b')!.annotations).toEqual({});
  });

  it.each([
    { change: 'nothing', second: manifest('pi'), outcome: 'unchanged', generation: 1 },
    { change: 'parallelism (mutable)', second: manifest('pi', { parallelism: 3 }), outcome: 'configured', generation: 2 },
    { change: 'labels only', second: manifest('pi', { labels: 'team: data' }), outcome: 'configured', generation: 1 },
  ])('applying again with $change: $outcome, generation $generation', ({ second, outcome, generation }) => {
    const first = applyJob(db, parsed(manifest('pi')), 'apply', NOW).job;
    const r = applyJob(db, parsed(second), 'apply', NOW + 1000);
    expect(r.outcome).toBe(outcome);
    const stored = getJobByName(db, 'default', 'pi')!;
    expect(stored.uid).toBe(first.uid);
    expect(stored.generation).toBe(generation);
    expect(listRuns(db, 'default', 'pi')).toHaveLength(1);
  });

  it('a configured parallelism is stored in the live spec', () => {
    applyJob(db, parsed(manifest('pi')), 'apply', NOW);
    applyJob(db, parsed(manifest('pi', { parallelism: 4 })), 'apply', NOW);
    const spec = getJobByName(db, 'default', 'pi')!.spec;
    expect(spec.parallelism).toBe(4);
    // Neither manifest wrote completions: the live value stays, as a three-way apply leaves it.
    expect(spec.completions).toBe(1);
  });

  it.each([
    {
      change: 'the pod template',
      second: manifest('pi', { command: 'false' }),
      message: /^The Job "pi" is invalid: spec\.template: Invalid value: \{.*"command":\["false"\].*\}: field is immutable$/,
    },
    { change: 'completions', second: manifest('pi', { completions: 3 }), message: /^The Job "pi" is invalid: spec\.completions: Invalid value: 3: field is immutable$/ },
  ])('changing $change of an applied Job is refused as immutable and nothing changes', ({ second, message }) => {
    const first = applyJob(db, parsed(manifest('pi')), 'apply', NOW).job;
    const err = errorOf(() => applyJob(db, parsed(second), 'apply', NOW));
    expect(err.code).toBe('Invalid');
    expect(err.message).toMatch(message);
    expect(getJobByName(db, 'default', 'pi')).toEqual(first);
  });

  it('create of an existing name is AlreadyExists', () => {
    applyJob(db, parsed(manifest('pi')), 'create', NOW);
    const err = errorOf(() => applyJob(db, parsed(manifest('pi')), 'create', NOW));
    expect(err.code).toBe('AlreadyExists');
    expect(err.message).toBe('Error from server (AlreadyExists): jobs.batch "pi" already exists');
  });

  it('a name the watched source owns is refused, naming the source and the manifest', () => {
    const owned = sourceJob(db, 'nightly');
    const err = errorOf(() => applyJob(db, parsed(manifest('nightly', { parallelism: 2 })), 'apply', NOW));
    expect(err.code).toBe('Conflict');
    expect(err.message).toBe(
      'Error from server (Conflict): jobs.batch "nightly" is managed by source /srv/jobs (nightly.yaml:2); change the manifest there',
    );
    expect(getJobByName(db, 'default', 'nightly')).toEqual(owned);
  });

  it('a Job that is being deleted cannot be applied until it is gone', () => {
    const job = applyJob(db, parsed(manifest('pi')), 'apply', NOW).job;
    deleteJob(db, job, 'background', NOW);
    const err = errorOf(() => applyJob(db, parsed(manifest('pi')), 'apply', NOW));
    expect(err.message).toBe('Error from server (AlreadyExists): object is being deleted: jobs.batch "pi" already exists');
  });
});

describe('patch (patch, scale, suspend, resume)', () => {
  it('suspending bumps the generation; suspending again changes nothing', () => {
    applyJob(db, parsed(manifest('pi')), 'apply', NOW);
    expect(patchJob(db, 'default', 'pi', { spec: { suspend: true } }).changed).toBe(true);
    expect(getJobByName(db, 'default', 'pi')).toMatchObject({ generation: 2, spec: { suspend: true } });
    expect(patchJob(db, 'default', 'pi', { spec: { suspend: true } }).changed).toBe(false);
    expect(getJobByName(db, 'default', 'pi')!.generation).toBe(2);
  });

  it('a source-owned Job can be scaled', () => {
    sourceJob(db, 'nightly');
    patchJob(db, 'default', 'nightly', { spec: { parallelism: 5 } });
    expect(getJobByName(db, 'default', 'nightly')).toMatchObject({ generation: 2, spec: { parallelism: 5 }, origin: { kind: 'dir' } });
  });

  it('null removes an optional field and restores a defaulted one', () => {
    applyJob(db, parsed(manifest('pi')), 'apply', NOW);
    patchJob(db, 'default', 'pi', { spec: { activeDeadlineSeconds: 60, parallelism: 3 } });
    patchJob(db, 'default', 'pi', { spec: { activeDeadlineSeconds: null, parallelism: null } });
    const spec = getJobByName(db, 'default', 'pi')!.spec;
    expect(spec.activeDeadlineSeconds).toBeUndefined();
    expect(spec.parallelism).toBe(1);
  });

  it('labels merge key by key; null removes one', () => {
    applyJob(db, parsed(manifest('pi', { labels: 'team: data' })), 'apply', NOW);
    patchJob(db, 'default', 'pi', { metadata: { labels: { tier: 'batch', team: null } } });
    expect(getJobByName(db, 'default', 'pi')!.labels).toEqual({ tier: 'batch' });
  });

  it('an Indexed Job is held to the rules manifests are checked with (parallelism at most 100000)', () => {
    const text = manifest('idx', { parallelism: 2, completions: 2 }).replace('spec:\n', 'spec:\n  completionMode: Indexed\n');
    const before = applyJob(db, parsed(text), 'apply', NOW).job;
    const err = errorOf(() => patchJob(db, 'default', 'idx', { spec: { parallelism: 100001 } }));
    expect(err.message).toBe('The Job "idx" is invalid: spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed');
    expect(getJobByName(db, 'default', 'idx')).toEqual(before);
  });

  it('removing backoffLimit restores the default that fits the Job', () => {
    applyJob(db, parsed(manifest('pi')), 'apply', NOW);
    patchJob(db, 'default', 'pi', { spec: { backoffLimit: 2 } });
    patchJob(db, 'default', 'pi', { spec: { backoffLimit: null } });
    expect(getJobByName(db, 'default', 'pi')!.spec.backoffLimit).toBe(6);
  });

  it.each([
    { what: 'an immutable field', patch: { spec: { completions: 4 } }, message: 'The Job "pi" is invalid: spec.completions: Invalid value: 4: field is immutable' },
    { what: 'a negative parallelism', patch: { spec: { parallelism: -1 } }, message: 'The Job "pi" is invalid: spec.parallelism: Invalid value: -1: must be greater than or equal to 0' },
    {
      what: 'an unknown replacement policy',
      patch: { spec: { podReplacementPolicy: 'Never' } },
      message: 'The Job "pi" is invalid: spec.podReplacementPolicy: Unsupported value: "Never": supported values: "Failed", "TerminatingOrFailed"',
    },
    { what: 'a non-boolean suspend', patch: { spec: { suspend: 'yes' } }, message: 'The Job "pi" is invalid: spec.suspend: Invalid value: "yes": must be a boolean' },
  ])('$what is refused and the Job is left as it was', ({ patch, message }) => {
    const before = applyJob(db, parsed(manifest('pi')), 'apply', NOW).job;
    const err = errorOf(() => patchJob(db, 'default', 'pi', patch));
    expect(err.code).toBe('Invalid');
    expect(err.message).toBe(message);
    expect(getJobByName(db, 'default', 'pi')).toEqual(before);
  });

  it('patching a Job that does not exist is NotFound', () => {
    const err = errorOf(() => patchJob(db, 'default', 'ghost', { spec: { suspend: true } }));
    expect(err.code).toBe('NotFound');
    expect(err.message).toBe('Error from server (NotFound): jobs.batch "ghost" not found');
  });
});

describe('delete', () => {
  it('background deletion marks the Job for the controller and records who deleted the run', () => {
    const job = sourceJob(db, 'nightly');
    deleteJob(db, job, 'background', NOW + 5);
    expect(getJobByName(db, 'default', 'nightly')!.deletionTimestamp).toBe(NOW + 5);
    expect(listRuns(db, 'default', 'nightly')[0]).toMatchObject({ deletedAt: NOW + 5, deletedBy: 'kubectl' });
  });

  it('orphan deletion removes the Job at once and leaves its pods, unowned and untracked', () => {
    const job = applyJob(db, parsed(manifest('old')), 'apply', NOW).job;
    const p = pod({ job, uid: 'p1', name: 'old-abcde' });
    insertPod(db, p, undefined, NOW);
    deleteJob(db, job, 'orphan', NOW);
    expect(getJobByName(db, 'default', 'old')).toBeUndefined();
    const left = getPod(db, 'p1')!;
    expect(left.owner).toBeUndefined();
    expect(left.trackingFinalizer).toBe(false);
    expect(left.labels['job-name']).toBe('old');
    expect(listPods(db, 'default').map((x) => x.name)).toEqual(['old-abcde']);
    expect(listRuns(db, 'default', 'old')[0]!.deletedBy).toBe('kubectl');
  });
});
