import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkouts, staysInside } from '../../src/source/checkouts.js';
import { removeTempDirs, tempDir, WorkRepo } from './fixture.js';

afterEach(() => removeTempDirs());

function repoWithScript(): { repo: WorkRepo; sha: string } {
  const repo = WorkRepo.init()
    .write('scripts/run.sh', '#!/bin/sh\necho hello\n', 0o755)
    .write('data/input.txt', 'forty-two\n')
    .write('jobs/job.yaml', 'kind: Job\n');
  symlinkSync('../data/input.txt', join(repo.dir, 'scripts/input'));
  symlinkSync('/etc/passwd', join(repo.dir, 'scripts/escape'));
  symlinkSync('../../outside', join(repo.dir, 'scripts/climb'));
  return { repo, sha: repo.commit('scripts') };
}

describe('Checkouts.ensure', () => {
  it('writes the commit tree with executable bits, keeping safe symlinks and dropping escaping ones', async () => {
    const { repo, sha } = repoWithScript();
    const root = join(tempDir(), 'checkouts');
    const dir = await new Checkouts({ root, repo: { gitdir: join(repo.dir, '.git') } }).ensure(sha);

    expect(dir).toBe(join(root, sha));
    expect(statSync(join(dir, 'scripts/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'data/input.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, 'scripts/run.sh'), 'utf8')).toBe('#!/bin/sh\necho hello\n');
    expect(lstatSync(join(dir, 'scripts/input')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'scripts/input'))).toBe('../data/input.txt');
    expect(readFileSync(join(dir, 'scripts/input'), 'utf8')).toBe('forty-two\n');
    expect(existsSync(join(dir, 'scripts/escape'))).toBe(false);
    expect(() => lstatSync(join(dir, 'scripts/climb'))).toThrow();
  });

  it('only the committed content: a file changed in the working tree is checked out as committed', async () => {
    const { repo, sha } = repoWithScript();
    repo.write('data/input.txt', 'uncommitted\n').write('new.txt', 'new\n');
    const dir = await new Checkouts({ root: tempDir(), repo: { gitdir: join(repo.dir, '.git') } }).ensure(sha);

    expect(readFileSync(join(dir, 'data/input.txt'), 'utf8')).toBe('forty-two\n');
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
  });

  it('concurrent calls share one checkout and leave no partial folders', async () => {
    const { repo, sha } = repoWithScript();
    const root = tempDir();
    const c = new Checkouts({ root, repo: { gitdir: join(repo.dir, '.git') } });
    const dirs = await Promise.all([c.ensure(sha), c.ensure(sha), c.ensure(sha)]);

    expect(new Set(dirs)).toEqual(new Set([join(root, sha)]));
    expect(readdirSync(root)).toEqual([sha]);
  });

  it('an unknown commit is NotFound and a malformed one Invalid', async () => {
    const { repo } = repoWithScript();
    const c = new Checkouts({ root: tempDir(), repo: { gitdir: join(repo.dir, '.git') } });

    await expect(c.ensure('0'.repeat(40))).rejects.toMatchObject({ code: 'NotFound' });
    await expect(c.ensure('../../etc')).rejects.toMatchObject({ code: 'Invalid' });
  });
});

describe('Checkouts.prune', () => {
  it('removes checkouts no run needs and keeps those in use', async () => {
    const { repo, sha: first } = repoWithScript();
    const second = repo.commit('second');
    const root = tempDir();
    const c = new Checkouts({ root, repo: { gitdir: join(repo.dir, '.git') } });
    await c.ensure(first);
    await c.ensure(second);

    c.prune(new Set([second]));
    expect(readdirSync(root)).toEqual([second]);

    c.prune(new Set());
    expect(readdirSync(root)).toEqual([]);
    // Pruned checkouts come back on demand.
    expect(existsSync(await c.ensure(first))).toBe(true);
  });
});

describe('symlink targets', () => {
  it.each([
    ['scripts/input', '../data/input.txt', true],
    ['a', 'b/c', true],
    ['a', '.', true],
    ['a', '/etc/passwd', false],
    ['a', '..', false],
    ['d/a', '../..', false],
    ['d/a', '../x', true],
    // `s` could itself be a link to `..`; a `..` after a name is never trusted.
    ['d/a', 's/../..', false],
    ['d/a', 'x/../y', false],
    ['a', '', false],
  ])('%s -> %s stays inside: %s', (link, target, inside) => {
    expect(staysInside(link, target)).toBe(inside);
  });
});
