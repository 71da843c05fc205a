// Parsing untrusted manifests off the main thread: a file that exhausts the
// parser costs a worker, never the process; the next file parses as usual.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';
import { IsolatedParser } from '../../src/manifest/worker.js';
import { tempDir } from '../helpers/e2e.js';

const good = (name: string) =>
  `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`;
// Under the 1 MiB cap, but far more than a tight heap allows once parsed.
const heavy = `items:\n${'- {a: 1, b: [x, y, z]}\n'.repeat(45_000)}`;

const parsers: IsolatedParser[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of parsers.splice(0)) await p.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function parser(o: ConstructorParameters<typeof IsolatedParser>[0] = {}): IsolatedParser {
  const p = new IsolatedParser(o);
  parsers.push(p);
  return p;
}

describe('isolated manifest parsing (33)', () => {
  it('a file that exhausts the parser is refused, the process survives, and the next file parses in a fresh worker', async () => {
    const p = parser({ resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
    const crashed = await p.parse(heavy, 'heavy.yaml');
    expect(crashed.jobs).toEqual([]);
    expect(crashed.issues).toMatchObject([{ file: 'heavy.yaml', line: 1, severity: 'error', message: expect.stringMatching(/ran out of resources.*the file is refused/) }]);
    const next = await p.parse(good('after'), 'after.yaml');
    expect(next.issues).toEqual([]);
    expect(next.jobs.map((j) => j.name)).toEqual(['after']);
    expect(p.workersStarted).toBe(2);
  });

  it('a file that takes longer than the timeout is refused and its worker replaced', async () => {
    const p = parser({ timeoutMs: 400 });
    await p.parse(good('warm'), 'warm.yaml');
    const slow = await p.parse(heavy, 'slow.yaml');
    expect(slow.issues).toMatchObject([{ file: 'slow.yaml', message: 'parsing took longer than 400 ms; the file is refused' }]);
    expect((await p.parse(good('later'), 'later.yaml')).jobs).toHaveLength(1);
  });

  it('one worker serves many files in order, and two deep files in a row are both refused', async () => {
    const p = parser();
    const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    const results = await Promise.all([p.parse(deep, 'd1.yaml'), p.parse(deep, 'd2.yaml'), p.parse(good('ok'), 'ok.yaml')]);
    expect(results.map((r) => r.issues[0]?.message ?? r.jobs[0]?.name)).toEqual(['nesting is deeper than 64 levels', 'nesting is deeper than 64 levels', 'ok']);
    expect(p.workersStarted).toBe(1);
  });

  it('a Job defined in two files is still reported at each metadata.name after crossing the worker', async () => {
    const dir = tempDir('gitjobs-parse-');
    dirs.push(dir);
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'jobs', 'a.yaml'), good('twice'));
    writeFileSync(join(dir, 'jobs', 'b.yaml'), `# leading comment\n${good('twice')}`);
    const r = await loadManifests([join(dir, 'jobs')], { root: dir, parse: parser().parse });
    expect(r.jobs).toEqual([]);
    expect(r.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`)).toEqual([
      'jobs/a.yaml:3:18: Duplicate value: "default/twice": also defined at jobs/b.yaml:4; neither is applied',
      'jobs/b.yaml:4:18: Duplicate value: "default/twice": also defined at jobs/a.yaml:3; neither is applied',
    ]);
  });

  it('__proto__ and constructor keys reach no prototype, in the worker or here (37)', async () => {
    const p = parser();
    const r1 = await p.parse(good('p').replace('metadata: {name: p}', 'metadata: {name: p, __proto__: {polluted: yes}}'), 'p.yaml');
    const r2 = await p.parse(good('c').replace('spec:\n', 'spec:\n  constructor: {prototype: {polluted: yes}}\n'), 'c.yaml');
    expect(r1.issues).toMatchObject([{ message: 'the key "__proto__" is not allowed' }]);
    expect(r2.issues).toMatchObject([{ field: 'spec.constructor' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await p.parse(good('clean'), 'clean.yaml')).jobs[0]?.manifest).not.toHaveProperty('polluted');
  });
});
