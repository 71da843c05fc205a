import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/index.js';

const jobYaml = (name: string): string => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
`;

let root: string;
const write = (rel: string, text: string): void => {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gitjobs-manifests-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('loadManifests', () => {
  it('walks folders recursively, reading .yaml, .yml and .json only', async () => {
    write('a.yaml', jobYaml('a'));
    write('nested/deeper/b.yml', jobYaml('b'));
    write('c.json', JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'c' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } } }));
    write('notes.txt', 'kind: Job');
    write('script.sh', 'echo hi');
    const r = await loadManifests([root], { root });
    expect(r.issues).toEqual([]);
    expect(r.jobs.map((j) => [j.name, j.file])).toEqual([
      ['a', 'a.yaml'],
      ['c', 'c.json'],
      ['b', 'nested/deeper/b.yml'],
    ]);
  });

  it('skips hidden folders such as .git and .github', async () => {
    write('.github/workflows/ci.yaml', 'on: push\njobs: {}\n');
    write('.git/config.yaml', 'x: 1');
    write('a.yaml', jobYaml('a'));
    const r = await loadManifests([root], { root });
    expect(r.issues).toEqual([]);
    expect(r.jobs.map((j) => j.name)).toEqual(['a']);
  });

  it('does not follow symbolic links', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'gitjobs-outside-'));
    try {
      writeFileSync(path.join(outside, 'secret.yaml'), jobYaml('outside'));
      write('a.yaml', jobYaml('a'));
      symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'link.yaml'));
      symlinkSync(outside, path.join(root, 'linkdir'));
      const r = await loadManifests([root], { root });
      expect(r.jobs.map((j) => j.name)).toEqual(['a']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('names files as their paths were given by default', async () => {
    write('a.yaml', jobYaml('a'));
    write('sub/b.yaml', jobYaml('b'));
    const r = await loadManifests([path.join(root, 'a.yaml'), path.join(root, 'sub')]);
    expect(r.jobs.map((j) => j.file)).toEqual([path.join(root, 'a.yaml'), path.join(root, 'sub', 'b.yaml')]);
    const rel = await loadManifests([path.relative(process.cwd(), path.join(root, 'sub')) + '/']);
    expect(rel.jobs[0]?.file).toBe(path.relative(process.cwd(), path.join(root, 'sub', 'b.yaml')));
  });

  it('reports a Job defined in two files in both, and keeps neither', async () => {
    write('one.yaml', jobYaml('same'));
    write('two/two.yaml', jobYaml('same'));
    write('other.yaml', jobYaml('other'));
    const r = await loadManifests([root], { root });
    expect(r.jobs.map((j) => j.name)).toEqual(['other']);
    expect(r.issues.map((i) => [i.code, i.file, i.message])).toEqual([
      ['DuplicateJob', 'one.yaml', 'Duplicate value: "default/same": also defined at two/two.yaml:3; neither is applied'],
      ['DuplicateJob', 'two/two.yaml', 'Duplicate value: "default/same": also defined at one.yaml:3; neither is applied'],
    ]);
  });

  it('a broken file does not hide good ones', async () => {
    write('a.yaml', jobYaml('a'));
    write('b.yaml', 'kind: Job\napiVersion: batch/v1\nmetadata: {name: [\n');
    write('c.yaml', jobYaml('c'));
    const r = await loadManifests([root], { root });
    expect(r.jobs.map((j) => j.name)).toEqual(['a', 'c']);
    expect(r.issues.length).toBeGreaterThan(0);
    expect(new Set(r.issues.map((i) => `${i.file} ${i.code}`))).toEqual(new Set(['b.yaml YamlSyntax']));
  });

  it('refuses a file over 1 MiB without reading it', async () => {
    write('big.yaml', `${jobYaml('big')}#${'x'.repeat(1024 * 1024)}\n`);
    const r = await loadManifests([root], { root });
    expect(r.jobs).toEqual([]);
    expect(r.issues).toMatchObject([{ code: 'FileTooLarge', file: 'big.yaml', line: 1, column: 1 }]);
  });

  it('reports a path that does not exist', async () => {
    const r = await loadManifests(['missing.yaml'], { root });
    expect(r.issues).toMatchObject([{ code: 'ReadError', file: 'missing.yaml', message: 'no such file or directory' }]);
  });
});
