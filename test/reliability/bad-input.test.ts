// Hostile and broken manifests against the real daemon: each is refused with a
// located issue, nothing of it runs, nothing lands outside the state folder,
// and the good manifests next to them still run.
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSources } from '../../src/store/sources.js';
import { startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, podsOf, shJob, withDb } from './harness.js';

const job = (name: string, body = '') =>
  `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${JSON.stringify(name)}\nspec:\n${body}  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`;

const deep = `${'['.repeat(1000)}${']'.repeat(1000)}\n`;
const laughs = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');

const files: Record<string, string> = {
  'good.yaml': shJob('good', 'echo ok'),
  'deep-1.yaml': deep,
  'deep-2.yaml': deep,
  'laughs.yaml': laughs,
  'huge.yaml': `${job('huge')}# ${'x'.repeat(1024 * 1024)}\n`,
  'dupkey.yaml': job('dupkey').replace('kind: Job\n', 'kind: Job\nkind: Job\n'),
  'tabs.yaml': job('tabs').replace('  name:', '\tname:'),
  'multi.yaml': `${job('multi-good')}---\n${job('multi-bad', '  parallelism: -1\n')}`,
  'proto.yaml': job('proto').replace('metadata:\n', 'metadata:\n  __proto__: {polluted: yes}\n'),
  'ctor.yaml': job('ctor').replace('spec:\n', 'spec:\n  constructor: {prototype: {polluted: yes}}\n'),
  'kind.yaml': job('kind').replace('kind: Job', 'kind: Deployment'),
  'nocontainers.yaml': 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: empty}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: []\n',
  'negative.yaml': job('negative', '  completions: -3\n  activeDeadlineSeconds: -1\n'),
  'huge-backoff.yaml': job('huge-backoff', '  backoffLimit: 1e10\n'),
  'nan.yaml': job('nan', '  parallelism: .nan\n  completions: "3"\n'),
  'exit-127.yaml': shJob('notfound', 'true').replace('["sh", "-c", "true"]', '["no-such-command-gitjobs"]').replace('spec:\n  template', 'spec:\n  backoffLimit: 0\n  template'),
  'not-executable.yaml': shJob('noexec', 'true').replace('["sh", "-c", "true"]', '["./not-executable.sh"]').replace('spec:\n  template', 'spec:\n  backoffLimit: 0\n  template'),
};
const badNames = ['../../etc', 'a/b', '.', '..', '%2e%2e', 'UPPER', 'x'.repeat(64), 'nul\u0000byte', 'pod\u0430', 'dot\u2024dot'];
badNames.forEach((n, i) => (files[`name-${i}.yaml`] = job(n)));

let d: DaemonHandle;
let outside: string;
let issues: { file: string; line: number; field: string; message: string }[];

beforeAll(async () => {
  outside = tempDir('gitjobs-outside-');
  writeFileSync(join(outside, 'secret.yaml'), shJob('outside', 'echo leaked'));
  mkdirSync(join(outside, 'more'));
  writeFileSync(join(outside, 'more', 'also.yaml'), shJob('outside-folder', 'echo leaked'));
  const dir = tempDir('gitjobs-bad-');
  mkdirSync(join(dir, 'jobs'));
  symlinkSync(join(outside, 'secret.yaml'), join(dir, 'jobs', 'link.yaml'));
  symlinkSync(join(outside, 'more'), join(dir, 'jobs', 'linked-folder'));
  writeFileSync(join(dir, 'jobs', 'not-executable.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'jobs', 'not-executable.sh'), 0o644);
  d = await startDaemon({ dir, files });
  await waitFor('good complete', () => hasCondition(d.stateDir, 'good', 'Complete'), 30_000);
  issues = withDb(d.stateDir, (db) => listSources(db)[0]!.issues) as typeof issues;
});
afterAll(async () => {
  await d?.cleanup();
});

const issuesOf = (file: string) => issues.filter((i) => i.file === file);

describe('bad input against the running daemon', () => {
  it('two manifests of 1000-deep flow nesting are both refused, the daemon stays up and the good one runs (33)', () => {
    expect(issuesOf('deep-1.yaml')).toMatchObject([{ line: 1, message: 'nesting is deeper than 64 levels' }]);
    expect(issuesOf('deep-2.yaml')).toMatchObject([{ line: 1, message: 'nesting is deeper than 64 levels' }]);
    expect(d.proc.exitCode).toBeNull();
    expect(jobStatus(d.stateDir, 'good')).toMatchObject({ succeeded: 1 });
  });

  it.each([
    ['a billion laughs (32)', 'laughs.yaml', /more than 100 alias resolutions/],
    ['a file over 1 MiB, before parsing (34)', 'huge.yaml', /at most 1048576 bytes/],
    ['a duplicate key (35)', 'dupkey.yaml', /Map keys must be unique/],
    ['tab indentation (35)', 'tabs.yaml', /tab/i],
    ['a __proto__ key (37)', 'proto.yaml', /the key "__proto__" is not allowed/],
    ['a constructor key (37)', 'ctor.yaml', /unknown field "spec.constructor"/],
    ['another kind (38)', 'kind.yaml', /Unsupported value: "Deployment"/],
    ['no containers (38)', 'nocontainers.yaml', /spec.template.spec.containers: Required value/],
    ['negative completions and deadline (38)', 'negative.yaml', /must be greater than or equal to 0|must be greater than 0/],
    ['backoffLimit 1e10 (38)', 'huge-backoff.yaml', /spec.backoffLimit: Invalid value: 10000000000: must be a 32-bit integer/],
    ['NaN and a string in numeric fields (38)', 'nan.yaml', /spec.parallelism: Invalid value: NaN[^]*spec.completions: /],
  ])('%s is refused with its line', (_what, file, message) => {
    const found = issuesOf(file);
    expect(found.length, JSON.stringify(issues.filter((i) => i.file === file))).toBeGreaterThan(0);
    expect(found.map((i) => `${i.field}: ${i.message}`).join('\n')).toMatch(message);
    expect(found.every((i) => i.line >= 1)).toBe(true);
  });

  it('a multi-document file with one bad document: the good document runs, the bad one is reported (36)', async () => {
    expect(issuesOf('multi.yaml')).toMatchObject([{ line: 16, field: 'spec.parallelism' }]);
    await waitFor('multi-good complete', () => hasCondition(d.stateDir, 'multi-good', 'Complete'));
    expect(d.job('multi-bad')).toBeUndefined();
  });

  it('no prototype was polluted in the daemon, and none of the refused Jobs exists (37, 38)', () => {
    const names = (JSON.parse(d.cli(['get', 'jobs', '-o', 'json']).stdout) as { items: { metadata: { name: string } }[] }).items.map((j) => j.metadata.name);
    expect(names.sort()).toEqual(['good', 'multi-good', 'noexec', 'notfound']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(badNames.map((n, i) => [JSON.stringify(n), i] as const))('name %s is refused and creates nothing outside the state folder (39)', (_n, i) => {
    expect(issuesOf(`name-${i}.yaml`).map((x) => x.field)).toContain('metadata.name');
    expect(readdirSync(d.dir).sort()).toEqual(['jobs', 'state']);
    expect(readdirSync(join(d.stateDir, 'logs')).every((e) => /^default_[a-z0-9-]+_[0-9a-f-]{36}$/.test(e))).toBe(true);
  });

  it('a symlinked manifest and a symlinked folder pointing outside are reported and never read (40)', () => {
    expect(issuesOf('link.yaml')).toMatchObject([{ line: 1, message: expect.stringContaining('symbolic link not followed') }]);
    expect(issuesOf('linked-folder')).toMatchObject([{ line: 1, message: expect.stringContaining('symbolic link not followed') }]);
    expect(d.job('outside')).toBeUndefined();
    expect(d.job('outside-folder')).toBeUndefined();
  });

  it.each([
    ['a command that does not exist', 'notfound', /executable file not found/],
    ['a command that is not executable', 'noexec', /permission denied|not executable|executable file not found/],
  ])('%s: the pod fails with a clear reason and counts toward the backoff limit (41)', async (_what, name, message) => {
    await waitFor(`${name} failed`, () => hasCondition(d.stateDir, name, 'Failed'));
    const t = podsOf(d.stateDir, name)[0]!.status.containerStatuses[0]!.state.terminated!;
    expect(t.reason).toBe('StartError');
    expect(t.message).toMatch(message);
    expect(jobStatus(d.stateDir, name)?.failed).toBe(1);
  });

  it('the counting invariants hold after all of it', async () => {
    await checkInvariants(d);
  });
});
