import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cliAsync, condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { git, jobYaml, removeTempDirs, tempDir, WorkRepo } from '../source/fixture.js';

// Commit a manifest to trigger a run: a real repository, the real daemon
// following it, and the real CLI.

let d: DaemonHandle | undefined;
let server: GitServer | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  await server?.close();
  server = undefined;
});
afterAll(() => removeTempDirs());

const finished = (name: string, notUid?: string) => () => {
  const job = d!.job(name);
  if (job === undefined || job.metadata.uid === notUid) return undefined;
  return condition(job, 'Complete') || condition(job, 'Failed') ? job : undefined;
};

function history(name: string): string[][] {
  const r = d!.cli(['history', 'job', name, '-o', 'json']);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout) as { trigger: string; deletedBy?: string; result?: string }[]).map((x) => [x.trigger, x.deletedBy ?? '', x.result ?? '']);
}

function sync(): string {
  const r = d!.cli(['sync']);
  expect(r.stderr, r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

function withTtl(yaml: string, ttl: number): string {
  return yaml.replace('spec:\n', `spec:\n  ttlSecondsAfterFinished: ${ttl}\n`);
}

describe('a local Git repository as the source', () => {
  it('a committed manifest runs once; resyncs and unrelated commits run nothing', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/hello.yaml', jobYaml('hello', 'echo hello')).write('jobs/notes.txt', 'x').commit('Add hello');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir, '--path', 'jobs'] });
    const job = await waitFor('hello finished', finished('hello'));
    expect(sync()).toMatch(new RegExp(`^synced ${repo.dir} at revision main@sha1:${repo.head()}\\n$`));
    repo.write('README.md', 'docs').commit('Docs only');
    repo.write('jobs/notes.txt', 'y').commit('Notes');
    await waitFor('unrelated commits applied', () => sync().includes(repo.head()));
    expect(d.job('hello')!.metadata.uid).toBe(job.metadata.uid);
    expect(history('hello')).toEqual([['new', '', 'Complete']]);
    expect(d.pods('job-name=hello')).toHaveLength(1);
  });

  it('a changed parallelism applies in place; a changed command supersedes the run', async () => {
    const repo = WorkRepo.init();
    // With completions set, parallelism is the only difference (without it, adding
    // parallelism makes a work-queue Job: Kubernetes' defaulting, a different spec).
    const work = (p: number, cmd: string) => jobYaml('work', cmd).replace('spec:\n', `spec:\n  completions: 2\n  parallelism: ${p}\n`);
    repo.write('jobs/work.yaml', work(1, 'sleep 30')).commit('Add work');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    const first = await waitFor('work running', () => {
      const j = d!.job('work');
      return j?.status.active === 1 ? j : undefined;
    });
    repo.write('jobs/work.yaml', work(2, 'sleep 30')).commit('More parallel');
    const scaled = await waitFor('parallelism applied', () => {
      const j = d!.job('work');
      return j?.spec.parallelism === 2 ? j : undefined;
    });
    expect(scaled.metadata.uid).toBe(first.metadata.uid);
    await waitFor('two pods running', () => d!.job('work')?.status.active === 2);
    repo.write('jobs/work.yaml', work(2, 'echo changed')).commit('Change the command');
    const second = await waitFor('new run finished', finished('work', first.metadata.uid), 30_000);
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect(history('work')).toEqual([
      ['new', 'superseded', ''],
      ['spec-change', '', 'Complete'],
    ]);
    const events = d.cli(['get', 'events']).stdout;
    expect(events).toMatch(/Superseded\s+job\/work\s+Manifest changed immutable fields \(spec\.template\)/);
    expect(d.cli(['logs', 'job/work']).stdout).toBe('changed\n');
    // The superseded run's pods were terminated, not left running.
    expect(d.pods('job-name=work').every((p) => p.metadata.labels['controller-uid'] === second.metadata.uid)).toBe(true);
  });

  it('a removed manifest prunes its Job; its history and logs stay', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/a.yaml', jobYaml('a', 'echo from-a')).write('jobs/b.yaml', jobYaml('b')).commit('Two jobs');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    await waitFor('a finished', finished('a'));
    await waitFor('b finished', finished('b'));
    repo.remove('jobs/a.yaml').commit('Remove a');
    await waitFor('a pruned', () => d!.job('a') === undefined);
    expect(d.job('b')).toBeDefined();
    expect(history('a')).toEqual([['new', 'pruned', 'Complete']]);
    expect(d.cli(['logs', 'job/a', '--run', '1']).stdout).toBe('from-a\n');
  });

  it('a Job deleted by its TTL is not run again by later syncs', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/once.yaml', withTtl(jobYaml('once', 'echo once'), 0)).commit('Once');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    await waitFor('once deleted by TTL', () => history('once')[0]?.[1] === 'ttl-after-finished-controller');
    repo.write('other.txt', '1').commit('Unrelated');
    sync();
    await d.stop();
    d = await startDaemon({ dir: d.dir, sourceArgs: ['--repo', repo.dir] });
    sync();
    expect(d.job('once')).toBeUndefined();
    expect(history('once')).toHaveLength(1);
  });

  it('rerun, or a changed gitjobs.io/run annotation, starts a fresh run of the same spec', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/again.yaml', jobYaml('again')).commit('Again');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    const first = await waitFor('first run', finished('again'));
    expect(d.cli(['rerun', 'job', 'again']).code).toBe(0);
    const second = await waitFor('second run', finished('again', first.metadata.uid));
    repo.write('jobs/again.yaml', jobYaml('again').replace('  name: again\n', '  name: again\n  annotations:\n    gitjobs.io/run: "2"\n')).commit('Run again');
    await waitFor('third run', finished('again', second.metadata.uid));
    expect(history('again').map((r) => r[0])).toEqual(['new', 'rerun', 'spec-change']);
  });

  it('a broken manifest is reported with file:line and the other Jobs still apply', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/good.yaml', jobYaml('good')).commit('Good');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    await waitFor('good finished', finished('good'));
    repo.write('jobs/bad.yaml', 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: bad\nspec:\n  template: [unclosed\n').write('jobs/next.yaml', jobYaml('next')).commit('One bad, one good');
    await waitFor('next finished', finished('next'));
    const sources = d.cli(['get', 'sources']).stdout;
    expect(sources).toMatch(/False\s+1 manifest error\(s\)/);
    expect(d.cli(['get', 'sources', '-o', 'json']).stdout).toMatch(/"file": "jobs\/bad\.yaml"/);
    expect(d.cli(['get', 'events']).stdout).toMatch(/InvalidManifest\s+source\/\S+\s+jobs\/bad\.yaml:\d+:\d+:/);
  });

  it("each run's pods start in a checkout of its commit, with the repository's scripts", async () => {
    const repo = WorkRepo.init();
    repo.write('scripts/build.sh', '#!/bin/sh\necho "built $(cat VERSION) at $GITJOBS_REVISION from $GITJOBS_MANIFEST"\n', 0o755).write('VERSION', 'v1');
    repo.write('jobs/build.yaml', jobYaml('build', './scripts/build.sh')).commit('v1');
    const v1 = repo.head();
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir] });
    await waitFor('build finished', finished('build'));
    // Uncommitted edits never reach a run.
    repo.write('VERSION', 'dirty');
    expect(d.cli(['logs', 'job/build']).stdout).toBe(`built v1 at ${v1} from jobs/build.yaml\n`);
    expect(d.cli(['describe', 'job', 'build']).stdout).toMatch(new RegExp(`Commit:\\s+${v1}\\nAuthor:\\s+Ada Lovelace <ada@example.com>\\nSubject:\\s+v1\\n`));
  });
});

describe('an HTTP remote as the source', () => {
  it('sync fetches a new commit; a force-push and a remote that is down keep the last good revision', async () => {
    const root = tempDir();
    const work = WorkRepo.init();
    work.write('jobs/one.yaml', jobYaml('one')).commit('One');
    git(root, 'clone', '-q', '--bare', work.dir, 'jobs.git');
    work.git('remote', 'add', 'origin', `${root}/jobs.git`);
    server = await startGitServer({ root });
    d = await startDaemon({ sourceArgs: ['--repo', server.url('jobs.git'), '--branch', 'main', '--interval', '1h'] });
    await waitFor('one finished', finished('one'));

    // The Git server lives in this process: run the CLI without blocking it.
    const syncAsync = () => cliAsync(['sync'], { state: d!.stateDir });
    work.write('jobs/two.yaml', jobYaml('two')).commit('Two');
    work.git('push', '-q', 'origin', 'main');
    const synced = await syncAsync();
    expect(synced.stderr).toBe('');
    expect(synced.stdout).toContain(work.head());
    await waitFor('two finished', finished('two'));
    const good = work.head();

    // History rewritten on the remote: refused, last good revision kept, nothing disturbed.
    work.git('reset', '-q', '--hard', 'HEAD~1');
    work.write('jobs/three.yaml', jobYaml('three')).commit('Rewritten');
    work.git('push', '-q', '--force', 'origin', 'main');
    const forced = await syncAsync();
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/NonFastForward|not a descendant|force/i);
    const row = d.cli(['get', 'sources', '--no-headers']).stdout;
    expect(row).toContain(`main@sha1:${good}`);
    expect(row).toMatch(/False\s+NonFastForward/);
    expect(d.job('three')).toBeUndefined();
    expect(d.job('two')).toBeDefined();

    // Remote down: same, with the reason.
    server.down = true;
    expect((await syncAsync()).code).toBe(1);
    expect(d.cli(['get', 'sources', '--no-headers']).stdout).toMatch(new RegExp(`main@sha1:${good}.*False\\s+FetchFailed`));
    expect(d.cli(['get', 'events']).stdout).toMatch(/FetchFailed/);
  });
});
