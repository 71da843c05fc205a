import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitjobsError } from '../../src/errors.js';
import { GitSource, type GitSourceOptions } from '../../src/source/git.js';
import { silentLogger } from '../../src/util/logger.js';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { git, jobYaml, Recorder, removeTempDirs, tempDir, waitFor, WorkRepo } from './fixture.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  removeTempDirs();
});

interface Remote {
  work: WorkRepo;
  bare: string;
  server: GitServer;
  url: string;
  /** Pushes the work repository's main to the served repository. */
  push(force?: boolean): void;
}

async function remote(o: { auth?: { username: string; password: string } } = {}): Promise<Remote> {
  const work = WorkRepo.init().write('jobs/pi.yaml', jobYaml('pi'));
  work.commit('Add pi');
  const root = tempDir('gitjobs-served-');
  const bare = join(root, 'jobs.git');
  git(root, 'clone', '-q', '--bare', work.dir, bare);
  const server = await startGitServer({ root, ...(o.auth ? { auth: o.auth } : {}) });
  cleanups.push(() => server.close());
  return {
    work,
    bare,
    server,
    url: server.url('jobs.git'),
    push: (force = false) => {
      work.git('push', '-q', ...(force ? ['--force'] : []), bare, 'HEAD:refs/heads/main');
    },
  };
}

function source(url: string, rec: Recorder, o: Partial<GitSourceOptions> = {}): GitSource {
  const s = new GitSource({
    url,
    ref: {},
    cacheDir: join(tempDir(), 'git', 'cache'),
    intervalMs: HOUR,
    logger: silentLogger,
    env: {},
    onSnapshot: rec.onSnapshot,
    onStatus: rec.onStatus,
    ...o,
  });
  cleanups.push(() => s.stop());
  return s;
}

describe('HTTP remote', () => {
  it('clones into a bare cache, then sync fetches a pushed commit', async () => {
    const r = await remote();
    const rec = new Recorder();
    const cacheDir = join(tempDir(), 'cache');
    const s = source(r.url, rec, { cacheDir });
    await s.start();

    expect(rec.last?.revision).toBe(`main@sha1:${r.work.head()}`);
    expect(rec.jobNames()).toEqual(['pi']);
    expect(existsSync(join(cacheDir, 'objects'))).toBe(true);
    expect(s.gitdir).toBe(cacheDir);

    r.work.write('jobs/e.yaml', jobYaml('e'));
    const sha = r.work.commit('Add e');
    r.push();
    expect(await s.sync()).toEqual({ revision: `main@sha1:${sha}` });
    expect(rec.last?.commit).toMatchObject({ sha, subject: 'Add e', author: 'Ada Lovelace' });
    expect(rec.jobNames()).toEqual(['e', 'pi']);
  });

  it('an unchanged remote costs one request per poll and gives no snapshot', async () => {
    const r = await remote();
    const rec = new Recorder();
    const s = source(r.url, rec);
    await s.start();
    const before = r.server.requests;

    await s.sync();
    expect(r.server.requests - before).toBe(1);
    expect(rec.snapshots).toHaveLength(1);
  });

  it('polls on its own at the interval', async () => {
    const r = await remote();
    const rec = new Recorder();
    await source(r.url, rec, { intervalMs: 100 }).start();

    const sha = r.work.commit('polled');
    r.push();
    await waitFor('the polled revision', () => rec.last?.revision === `main@sha1:${sha}`, 5000);
  });

  it('--tag and --commit', async () => {
    const r = await remote();
    const first = r.work.head();
    r.work.git('tag', '-a', 'v1', '-m', 'v1');
    r.work.git('push', '-q', r.bare, 'refs/tags/v1');
    r.work.write('jobs/second.yaml', jobYaml('second'));
    const second = r.work.commit('second');
    r.push();

    const tagged = new Recorder();
    await source(r.url, tagged, { ref: { tag: 'v1' } }).start();
    expect(tagged.last?.revision).toBe(`v1@sha1:${first}`);
    expect(tagged.jobNames()).toEqual(['pi']);

    const pinned = new Recorder();
    await source(r.url, pinned, { ref: { commit: second } }).start();
    expect(pinned.last?.revision).toBe(`sha1:${second}`);
    expect(pinned.jobNames()).toEqual(['pi', 'second']);
  });

  it('a branch the remote lacks is RefNotFound', async () => {
    const r = await remote();
    const rec = new Recorder();
    const s = source(r.url, rec, { ref: { branch: 'nope' } });
    await s.start();

    expect(s.status).toMatchObject({ ready: false, reason: 'RefNotFound', message: `couldn't find remote ref refs/heads/nope in '${r.url}'` });
    await expect(s.sync()).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('HTTP remote: authentication', () => {
  const auth = { username: 'robot', password: 's3cret-token' };

  it('without credentials: AuthenticationFailed, naming the variables to set', async () => {
    const r = await remote({ auth });
    const rec = new Recorder();
    const s = source(r.url, rec);
    await s.start();

    expect(s.status).toMatchObject({ ready: false, reason: 'AuthenticationFailed' });
    expect(s.status.message).toContain(r.url);
    expect(s.status.message).toContain('GITJOBS_GIT_TOKEN');
    expect(rec.snapshots).toEqual([]);
  });

  it('refused credentials: AuthenticationFailed without the secret; accepted once the environment is fixed', async () => {
    const r = await remote({ auth });
    const rec = new Recorder();
    const env: NodeJS.ProcessEnv = { GITJOBS_GIT_USERNAME: 'robot', GITJOBS_GIT_TOKEN: 'wrong-token' };
    const s = source(r.url, rec, { env });
    await s.start();

    expect(s.status).toMatchObject({ ready: false, reason: 'AuthenticationFailed', message: `Authentication failed for '${r.url}'` });
    const err = await s.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitjobsError);
    expect((err as GitjobsError).message).not.toContain('wrong-token');

    env.GITJOBS_GIT_TOKEN = auth.password;
    expect(await s.sync()).toEqual({ revision: `main@sha1:${r.work.head()}` });
    expect(rec.jobNames()).toEqual(['pi']);
    expect(s.status).toMatchObject({ ready: true, reason: 'Succeeded' });
    expect(JSON.stringify(rec.statuses)).not.toContain(auth.password);
  });

  it('a username and password pair is accepted too', async () => {
    const r = await remote({ auth });
    const rec = new Recorder();
    await source(r.url, rec, { env: { GITJOBS_GIT_USERNAME: 'robot', GITJOBS_GIT_PASSWORD: auth.password } }).start();

    expect(rec.jobNames()).toEqual(['pi']);
  });

  it('credentials written into the URL are refused outright', async () => {
    expect(() => source('https://robot:secret@example.com/jobs.git', new Recorder())).toThrow(/GITJOBS_GIT_TOKEN/);
  });
});

describe('HTTP remote: failures keep the last good revision', () => {
  it('server down: FetchFailed, last good kept, recovery by polling when it is back', async () => {
    const r = await remote();
    const rec = new Recorder();
    const s = source(r.url, rec, { intervalMs: 200 });
    await s.start();
    const good = rec.last!.revision;

    r.server.down = true;
    await expect(s.sync()).rejects.toMatchObject({ code: 'Internal' });
    expect(s.status).toMatchObject({
      ready: false,
      reason: 'FetchFailed',
      message: `unable to access '${r.url}': The requested URL returned error: 503`,
      lastGoodRevision: good,
    });

    const sha = r.work.commit('while down');
    r.push();
    r.server.down = false;
    await waitFor('recovery', () => rec.last?.revision === `main@sha1:${sha}`, 5000);
    expect(s.status).toMatchObject({ ready: true, reason: 'Succeeded', lastGoodRevision: `main@sha1:${sha}` });
    // Retries while down report nothing new: one status per change.
    expect(rec.statuses.map((x) => x.reason)).toEqual(['Succeeded', 'FetchFailed', 'Succeeded']);
  });

  it('nothing listening: FetchFailed with the connection error', async () => {
    const r = await remote();
    const url = r.url;
    await r.server.close();
    const rec = new Recorder();
    const s = source(url, rec);
    await s.start();

    expect(s.status).toMatchObject({ ready: false, reason: 'FetchFailed', message: `unable to access '${url}': Connection refused` });
  });

  it('force-push: NonFastForward naming both commits, last good kept, a later fast-forward applied', async () => {
    const r = await remote();
    const base = r.work.head();
    r.work.write('jobs/b.yaml', jobYaml('b'));
    const good = r.work.commit('b');
    r.push();
    const rec = new Recorder();
    const s = source(r.url, rec);
    await s.start();
    expect(rec.last?.revision).toBe(`main@sha1:${good}`);

    r.work.git('reset', '-q', '--hard', base);
    r.work.write('jobs/evil.yaml', jobYaml('evil'));
    const forced = r.work.commit('rewrite');
    r.push(true);
    await expect(s.sync()).rejects.toMatchObject({ code: 'Conflict' });
    expect(s.status).toMatchObject({ ready: false, reason: 'NonFastForward', lastGoodRevision: `main@sha1:${good}` });
    expect(s.status.message).toContain(forced);
    expect(s.status.message).toContain(good);
    expect(rec.snapshots).toHaveLength(1);

    r.work.git('reset', '-q', '--hard', good);
    r.work.write('jobs/c.yaml', jobYaml('c'));
    const next = r.work.commit('c');
    r.push(true);
    expect(await s.sync()).toEqual({ revision: `main@sha1:${next}` });
    expect(rec.jobNames()).toEqual(['b', 'c', 'pi']);
  });
});
