import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitjobsError } from '../../src/errors.js';
import { GitSource, type GitSourceOptions } from '../../src/source/git.js';
import { silentLogger } from '../../src/util/logger.js';
import { git, jobYaml, Recorder, removeTempDirs, tempDir, waitFor, WorkRepo } from './fixture.js';

const HOUR = 3_600_000;
const sources: GitSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  removeTempDirs();
});

function source(url: string, rec: Recorder, o: Partial<GitSourceOptions> = {}): GitSource {
  const s = new GitSource({
    url,
    ref: {},
    cacheDir: join(tempDir(), 'cache'),
    intervalMs: HOUR,
    logger: silentLogger,
    onSnapshot: rec.onSnapshot,
    onStatus: rec.onStatus,
    ...o,
  });
  sources.push(s);
  return s;
}

function repoWithJobs(): { repo: WorkRepo; sha: string } {
  const repo = WorkRepo.init().write('jobs/pi.yaml', jobYaml('pi')).write('README.md', '# jobs\n');
  const sha = repo.commit('Add the pi job\n\nComputes digits.', { name: 'Grace Hopper', email: 'grace@example.com' });
  return { repo, sha };
}

describe('local repository: the first snapshot', () => {
  it('non-bare repository: manifests, commit and revision of the default branch', async () => {
    const { repo, sha } = repoWithJobs();
    const rec = new Recorder();
    await source(repo.dir, rec).start();

    expect(rec.snapshots).toHaveLength(1);
    const snap = rec.last!;
    expect(snap.revision).toBe(`main@sha1:${sha}`);
    expect(snap.commit).toEqual({
      sha,
      author: 'Grace Hopper',
      email: 'grace@example.com',
      subject: 'Add the pi job',
      time: Number(repo.git('log', '-1', '--format=%at')) * 1000,
    });
    expect(snap.manifests.jobs.map((j) => [j.file, j.name])).toEqual([['jobs/pi.yaml', 'pi']]);
    expect(snap.manifests.issues).toEqual([]);
    expect(snap.heldBack).toEqual([]);
    expect(rec.lastStatus).toMatchObject({ ready: true, reason: 'Succeeded', lastGoodRevision: `main@sha1:${sha}` });
  });

  it('bare repository', async () => {
    const { repo, sha } = repoWithJobs();
    const bare = join(tempDir(), 'jobs.git');
    git(repo.dir, 'clone', '-q', '--bare', repo.dir, bare);
    const rec = new Recorder();
    await source(bare, rec).start();

    expect(rec.last?.revision).toBe(`main@sha1:${sha}`);
    expect(rec.jobNames()).toEqual(['pi']);
  });

  it('uncommitted, staged and modified files never count', async () => {
    const { repo } = repoWithJobs();
    repo.write('jobs/untracked.yaml', jobYaml('untracked'));
    repo.write('jobs/staged.yaml', jobYaml('staged'));
    repo.git('add', 'jobs/staged.yaml');
    repo.write('jobs/pi.yaml', jobYaml('renamed-in-worktree'));
    const rec = new Recorder();
    await source(repo.dir, rec).start();

    expect(rec.jobNames()).toEqual(['pi']);
  });

  it('hidden folders, symlinks and other extensions are skipped; json and yml are read', async () => {
    const repo = WorkRepo.init()
      .write('jobs/a.yml', jobYaml('a'))
      .write('jobs/b.json', JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'b' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x', command: ['true'] }] } } } }))
      .write('jobs/notes.txt', jobYaml('txt'))
      .write('.github/workflows/ci.yaml', jobYaml('ci'));
    repo.git('config', 'core.symlinks', 'true');
    symlinkSync('a.yml', join(repo.dir, 'jobs/link.yaml'));
    repo.commit('jobs');
    const rec = new Recorder();
    await source(repo.dir, rec).start();

    expect(rec.jobNames()).toEqual(['a', 'b']);
  });

  it('a file over 1 MiB is reported as too large, the rest still applies', async () => {
    const repo = WorkRepo.init()
      .write('big.yaml', '# ' + 'x'.repeat(1024 * 1024) + '\n')
      .write('ok.yaml', jobYaml('ok'));
    repo.commit('big');
    const rec = new Recorder();
    await source(repo.dir, rec).start();

    expect(rec.jobNames()).toEqual(['ok']);
    expect(rec.last?.manifests.issues.map((i) => [i.code, i.file])).toEqual([['FileTooLarge', 'big.yaml']]);
  });

  it('the same Job in two files is reported in both and applied from neither', async () => {
    const repo = WorkRepo.init().write('a.yaml', jobYaml('twin')).write('b/c.yaml', jobYaml('twin'));
    repo.commit('twins');
    const rec = new Recorder();
    await source(repo.dir, rec).start();

    expect(rec.jobNames()).toEqual([]);
    expect(rec.last?.manifests.issues.map((i) => [i.code, i.file])).toEqual([
      ['DuplicateJob', 'a.yaml'],
      ['DuplicateJob', 'b/c.yaml'],
    ]);
  });
});

describe('local repository: following the ref', () => {
  it('a new commit is picked up through the ref watch within a second, without polling', async () => {
    const { repo } = repoWithJobs();
    const rec = new Recorder();
    await source(repo.dir, rec, { intervalMs: HOUR }).start();

    repo.write('jobs/e.yaml', jobYaml('e'));
    const sha = repo.commit('Add e');
    const committedAt = Date.now();
    await waitFor('the second snapshot', () => rec.snapshots.length === 2, 1000);

    expect(Date.now() - committedAt).toBeLessThan(1000);
    expect(rec.last?.revision).toBe(`main@sha1:${sha}`);
    expect(rec.jobNames()).toEqual(['e', 'pi']);
  });

  it('a commit changing nothing under --path still gives a snapshot, with the same manifests', async () => {
    const { repo, sha: first } = repoWithJobs();
    repo.write('other/x.yaml', jobYaml('outside'));
    const second = repo.commit('Add a manifest outside the path');
    const rec = new Recorder();
    const s = source(repo.dir, rec, { path: './jobs/' });
    await s.start();
    expect(rec.jobNames()).toEqual(['pi']);

    repo.write('README.md', 'changed\n');
    const third = repo.commit('Touch the readme');
    expect(await s.sync()).toEqual({ revision: `main@sha1:${third}` });

    expect(rec.snapshots.map((x) => x.revision)).toEqual([`main@sha1:${second}`, `main@sha1:${third}`]);
    expect(rec.jobNames()).toEqual(['pi']);
    expect(first).not.toBe(second);
  });

  it('a --path that does not exist in the commit is an empty desired state, or with requirePath an error', async () => {
    const { repo } = repoWithJobs();
    const rec = new Recorder();
    await source(repo.dir, rec, { path: 'nope' }).start();
    expect(rec.last?.manifests).toEqual({ jobs: [], issues: [] });

    const strict = new Recorder();
    await source(repo.dir, strict, { path: 'nope', requirePath: true }).start();
    expect(strict.last?.manifests.issues.map((i) => [i.code, i.file, i.message])).toEqual([['ReadError', 'nope', 'no such file or directory']]);
  });

  it('sync with nothing new resolves with the current revision and gives no snapshot', async () => {
    const { repo, sha } = repoWithJobs();
    const rec = new Recorder();
    const s = source(repo.dir, rec);
    await s.start();

    expect(await s.sync()).toEqual({ revision: `main@sha1:${sha}` });
    expect(rec.snapshots).toHaveLength(1);
    expect(rec.statuses).toHaveLength(1);
  });

  it('--branch follows that branch only', async () => {
    const { repo } = repoWithJobs();
    repo.git('checkout', '-q', '-b', 'team/nightly');
    repo.write('jobs/nightly.yaml', jobYaml('nightly'));
    const sha = repo.commit('nightly');
    repo.git('checkout', '-q', 'main');
    const rec = new Recorder();
    await source(repo.dir, rec, { ref: { branch: 'team/nightly' } }).start();

    expect(rec.last?.revision).toBe(`team/nightly@sha1:${sha}`);
    expect(rec.jobNames()).toEqual(['nightly', 'pi']);
  });

  it('a linked worktree reads the branches of its main repository', async () => {
    const { repo } = repoWithJobs();
    const wt = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'feature', wt);
    const feature = new WorkRepo(wt).write('jobs/f.yaml', jobYaml('f'));
    const sha = feature.commit('feature job');
    const rec = new Recorder();
    await source(wt, rec, { ref: { branch: 'feature' } }).start();

    expect(rec.last?.revision).toBe(`feature@sha1:${sha}`);
    expect(rec.jobNames()).toEqual(['f', 'pi']);
  });

  it('--tag reads the tagged commit and follows the tag when it moves forward', async () => {
    const { repo, sha: tagged } = repoWithJobs();
    repo.git('tag', '-a', 'v1.2', '-m', 'release');
    repo.write('jobs/later.yaml', jobYaml('later'));
    const later = repo.commit('later');
    const rec = new Recorder();
    await source(repo.dir, rec, { ref: { tag: 'v1.2' } }).start();

    expect(rec.last?.revision).toBe(`v1.2@sha1:${tagged}`);
    expect(rec.jobNames()).toEqual(['pi']);

    repo.git('tag', '-f', '-a', 'v1.2', '-m', 'moved', later);
    await waitFor('the moved tag', () => rec.snapshots.length === 2, 2000);
    expect(rec.last?.revision).toBe(`v1.2@sha1:${later}`);
  });

  it('--commit pins one commit (an abbreviated name is expanded) and never moves', async () => {
    const { repo, sha } = repoWithJobs();
    repo.write('jobs/later.yaml', jobYaml('later'));
    repo.commit('later');
    const rec = new Recorder();
    const s = source(repo.dir, rec, { ref: { commit: sha.slice(0, 10) } });
    await s.start();
    expect(rec.last?.revision).toBe(`sha1:${sha}`);

    repo.commit('even later');
    expect(await s.sync()).toEqual({ revision: `sha1:${sha}` });
    expect(rec.snapshots).toHaveLength(1);
    expect(rec.jobNames()).toEqual(['pi']);
  });
});

describe('local repository: failures', () => {
  it('rewritten history is refused, the last good revision kept, and a later fast-forward applied', async () => {
    const { repo, sha: base } = repoWithJobs();
    repo.write('jobs/b.yaml', jobYaml('b'));
    const good = repo.commit('b');
    const rec = new Recorder();
    const s = source(repo.dir, rec);
    await s.start();

    repo.git('reset', '-q', '--hard', base);
    repo.write('jobs/rewritten.yaml', jobYaml('rewritten'));
    const rewritten = repo.commit('rewritten');
    const err = await s.sync().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(GitjobsError);
    expect((err as GitjobsError).code).toBe('Conflict');
    expect(s.status).toMatchObject({
      ready: false,
      reason: 'NonFastForward',
      lastGoodRevision: `main@sha1:${good}`,
      lastAttemptedRevision: `main@sha1:${rewritten}`,
    });
    expect(s.status.message).toContain(rewritten);
    expect(s.status.message).toContain(good);
    expect(rec.snapshots).toHaveLength(1);

    repo.git('reset', '-q', '--hard', good);
    repo.write('jobs/c.yaml', jobYaml('c'));
    const next = repo.commit('c');
    expect(await s.sync()).toEqual({ revision: `main@sha1:${next}` });
    expect(rec.jobNames()).toEqual(['b', 'c', 'pi']);
    expect(s.status).toMatchObject({ ready: true, reason: 'Succeeded' });
  });

  it('a corrupt object makes the source not ready and keeps the last good revision', async () => {
    const { repo, sha: good } = repoWithJobs();
    const rec = new Recorder();
    const s = source(repo.dir, rec);
    await s.start();

    // Objects for a new commit, written without moving the branch yet.
    repo.write('jobs/d.yaml', jobYaml('d'));
    repo.git('add', '-A');
    const tree = repo.git('write-tree');
    const commit = repo.git('commit-tree', tree, '-p', good, '-m', 'd');
    const blob = repo.git('rev-parse', `${tree}:jobs/d.yaml`);
    const file = join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2));
    writeFileSync(file, 'this is not a zlib stream');
    repo.git('update-ref', 'refs/heads/main', commit);

    await waitFor('the corrupt object to be noticed', () => s.status.reason === 'CorruptRepository', 2000);
    expect(s.status).toMatchObject({ ready: false, lastGoodRevision: `main@sha1:${good}` });
    expect(s.status.message).toContain(repo.dir);
    expect(rec.snapshots).toHaveLength(1);
    await expect(s.sync()).rejects.toMatchObject({ code: 'Internal' });
  });

  it('a missing branch is RefNotFound and sync fails with NotFound', async () => {
    const { repo } = repoWithJobs();
    const rec = new Recorder();
    const s = source(repo.dir, rec, { ref: { branch: 'nope' } });
    await s.start();

    expect(rec.snapshots).toEqual([]);
    expect(s.status).toMatchObject({ ready: false, reason: 'RefNotFound' });
    expect(s.status.message).toBe(`couldn't find ref refs/heads/nope in '${repo.dir}'`);
    await expect(s.sync()).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('a folder that is not a repository fails soft, then recovers once it becomes one', async () => {
    const dir = tempDir();
    const rec = new Recorder();
    const s = source(dir, rec);
    await s.start();
    expect(s.status).toMatchObject({ ready: false, reason: 'FetchFailed', message: `'${dir}' does not appear to be a git repository` });

    const repo = WorkRepo.init(dir).write('j.yaml', jobYaml('j'));
    const sha = repo.commit('first');
    expect(await s.sync()).toEqual({ revision: `main@sha1:${sha}` });
    expect(rec.jobNames()).toEqual(['j']);
  });
});

describe('local repository: fetch attempts', () => {
  it('reports each attempt with its duration, and a failed one with its reason', async () => {
    const { repo } = repoWithJobs();
    const attempts: { ms: number; failure: string | undefined }[] = [];
    const s = source(repo.dir, new Recorder(), { onAttempt: (ms, failure) => attempts.push({ ms, failure }) });
    await s.start();
    await s.sync();
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.failure === undefined && a.ms >= 0)).toBe(true);

    const gone = source(join(tempDir(), 'no-such-repo'), new Recorder(), { onAttempt: (ms, failure) => attempts.push({ ms, failure }) });
    await gone.start();
    expect(attempts[2]?.failure).toBe(gone.status.reason);
    expect(gone.status.ready).toBe(false);
  });
});
