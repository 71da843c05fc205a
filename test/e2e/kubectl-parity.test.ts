import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, condition, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { jobYaml, removeTempDirs, WorkRepo } from '../source/fixture.js';

// Where a user with kubectl habits trips: each case is what they type, through
// the real CLI against a real daemon.

let d: DaemonHandle;
beforeAll(async () => {
  d = await startDaemon({ files: { 'pi.yaml': jobYaml('pi') } });
  await waitFor('pi complete', () => condition(d.job('pi'), 'Complete'));
});
afterAll(async () => {
  await d.cleanup();
  removeTempDirs();
});

const complete = (name: string, notUid?: string) => () => {
  const job = d.job(name);
  return job !== undefined && job.metadata.uid !== notUid && condition(job, 'Complete') ? job : undefined;
};

function triggers(h: DaemonHandle, name: string): string[] {
  const r = h.cli(['history', 'job', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { trigger: string }[]).map((x) => x.trigger) : [];
}

function withInput(args: string[], input: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: d.dir, input, encoding: 'utf8', env: { ...process.env, GITJOBS_STATE: d.stateDir } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('get events -w', () => {
  it('prints each event once, and a new one when it happens', async () => {
    const w = spawn(process.execPath, [CLI, 'get', 'events', '-w'], { env: { ...process.env, GITJOBS_STATE: d.stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    w.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    try {
      await waitFor('the initial listing', () => out.includes('Completed'));
      d.writeJob('watched.yaml', jobYaml('watched'));
      await waitFor('the new Job completes in the watch', () => /Completed\s+job\/watched/.test(out));
      const lines = out.trim().split('\n').slice(1);
      // Before, every 200 ms the whole list was printed again.
      expect(lines.filter((l) => /SuccessfulCreate\s+job\/pi\s/.test(l))).toHaveLength(1);
      expect(lines.filter((l) => /Completed\s+job\/watched/.test(l))).toHaveLength(1);
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      w.kill();
    }
  });
});

describe('global flags before the command', () => {
  it('accepts -n and --state before the verb, as kubectl does', () => {
    const r = cli(['-n', 'default', '--state', d.stateDir, 'get', 'jobs'], { cwd: tempDir() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^pi\s+Complete/m);
    expect(cli([`--state=${d.stateDir}`, 'get', 'job', 'pi', '-o', 'name'], { cwd: tempDir() }).stdout).toBe('job.batch/pi\n');
    expect(cli(['-n', 'other', '--state', d.stateDir, 'get', 'jobs']).stderr).toBe('No resources found in other namespace.\n');
  });
});

describe('apply with nothing to apply', () => {
  it('says so and exits 1 for empty stdin and for a folder without manifests', () => {
    const empty = withInput(['apply', '-f', '-'], '');
    expect(empty).toMatchObject({ code: 1, stderr: 'error: no objects passed to apply\n' });
    const folder = tempDir();
    writeFileSync(join(folder, 'README.md'), 'not a manifest');
    expect(d.cli(['apply', '-f', folder])).toMatchObject({ code: 1, stderr: 'error: no objects passed to apply\n' });
    expect(d.cli(['create', '-f', folder])).toMatchObject({ code: 1, stderr: 'error: no objects passed to create\n' });
  });
});

describe('daemon on a folder that does not exist', () => {
  it('refuses to start (exit 2) and names the folder', () => {
    const state = join(tempDir(), 'state');
    const r = cli(['daemon', '--jobs', '/nonexistent-gitjobs-folder', '--state', state]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --jobs \/nonexistent-gitjobs-folder: no such folder\n/);
    expect(r.stdout + r.stderr).not.toContain('daemon ready');
  });
});

describe('validate', () => {
  it('prints paths as the user gave them', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'jobs'));
    writeFileSync(join(dir, 'jobs', 'bad.yaml'), 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: Bad\nspec: {}\n');
    const abs = cli(['validate', join(dir, 'jobs'), '/nonexistent-gitjobs-file.yaml'], { cwd: d.jobsDir });
    expect(abs.stdout).toContain(`${join(dir, 'jobs', 'bad.yaml')}:4:9: metadata.name`);
    expect(abs.stderr).toBe('error: /nonexistent-gitjobs-file.yaml: no such file or directory\n');
    expect(cli(['validate', 'jobs/'], { cwd: dir }).stdout).toContain('jobs/bad.yaml:4:9:');
  });

  it('accepts what get job -o yaml printed, and committing it back changes nothing', async () => {
    const before = d.job('pi')!;
    const yaml = d.cli(['get', 'job', 'pi', '-o', 'yaml']).stdout;
    const file = join(tempDir(), 'pi.yaml');
    writeFileSync(file, yaml);
    expect(cli(['validate', file])).toMatchObject({ code: 0, stdout: '1 file, 1 job, 0 errors\n' });
    d.writeJob('pi.yaml', yaml);
    expect(d.cli(['sync']).code).toBe(0);
    const after = d.job('pi')!;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(triggers(d, 'pi')).toEqual(['new']);
    expect(d.cli(['get', 'sources', '--no-headers']).stdout).toMatch(/\sTrue\s+Applied revision/);
  });
});

describe('sync', () => {
  it('exits 1 and prints the located errors of the revision; the good manifests are applied', async () => {
    d.writeJob('broken.yaml', 'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: broken\nspec:\n  template:\n    spec:\n      containers: []\n');
    d.writeJob('fine.yaml', jobYaml('fine'));
    // A file that fails to parse right after a write is held back as possibly half-written; this one was saved a minute ago.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(d.jobsDir, 'broken.yaml'), past, past);
    const r = d.cli(['sync']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^synced .* at revision sha256:/);
    expect(r.stderr).toMatch(/^broken\.yaml:\d+:\d+: spec\.template\.spec\.(containers|restartPolicy): /m);
    expect(r.stderr).toMatch(/^error: revision sha256:\S+ has \d manifest error\(s\); the other Jobs were applied$/m);
    expect(d.job('fine')).toBeDefined();
    d.removeJob('broken.yaml');
    expect(d.cli(['sync'])).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('a manifest put back', () => {
  it('is a new run of the source (trigger manifest), and source events name the source', async () => {
    await waitFor('fine complete', complete('fine'));
    const first = d.job('fine')!.metadata.uid;
    d.removeJob('fine.yaml');
    await waitFor('fine pruned', () => d.job('fine') === undefined);
    d.writeJob('fine.yaml', jobYaml('fine'));
    await waitFor('fine again', complete('fine', first));
    expect(triggers(d, 'fine')).toEqual(['new', 'manifest']);
    const events = d.cli(['get', 'events']).stdout;
    expect(events).toMatch(/InvalidManifest\s+source\/jobs\s+broken\.yaml:/);
    expect(events).not.toContain('source//');
  });
});

describe('error lines and help', () => {
  it('every error line starts with error:, and points at the command help', () => {
    for (const args of [
      ['get', 'jobs', '-o', 'custom-columns=NAME'],
      ['get', 'jobs', '-l', 'a in (b'],
      ['get', 'jobs', '-o', 'jsonpath={.metadata.name'],
    ]) {
      const r = d.cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /);
    }
    expect(d.cli(['wait', 'job/pi', '--for=condition=Complete', '--timeout=abc']).stderr).toMatch(/See 'gitjobs wait --help' for usage\./);
    const describeHint = d.cli(['describe']).stderr;
    expect(describeHint).toMatch(/^error: You must specify the type of resource to describe/);
    expect(describeHint).not.toContain('events');
    const help = cli(['--help']).stdout;
    expect(help).not.toContain('[flags] [options]');
    expect(help).toMatch(/^ {2}apply {9}Create or update a Job from a file/m);
    expect(help).toContain('gitjobs [-n NAMESPACE] [--state DIR] COMMAND [flags]');
  });

  it('custom-columns prints <none> for a missing or null field', () => {
    const r = d.cli(['get', 'job', 'pi', '-o', 'custom-columns=NAME:.metadata.name,NOPE:.spec.nope,TS:.spec.template.metadata.creationTimestamp']);
    expect(r.stdout).toMatch(/^NAME\s+NOPE\s+TS\npi\s+<none>\s+<none>\n$/);
  });
});

describe('a Git source whose --path loses its last manifest', () => {
  it('prunes the Jobs and stays Ready; a re-added manifest is a commit run', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/g.yaml', jobYaml('g')).commit('Add g');
    const g = await startDaemon({ sourceArgs: ['--repo', repo.dir, '--path', 'jobs'] });
    try {
      await waitFor('g complete', () => condition(g.job('g'), 'Complete'));
      const first = g.job('g')!.metadata.uid;
      repo.remove('jobs/g.yaml').commit('Remove g');
      expect(g.cli(['sync'])).toMatchObject({ code: 0, stderr: '' });
      expect(g.job('g')).toBeUndefined();
      const source = g.cli(['get', 'sources', '--no-headers']).stdout;
      expect(source).toMatch(/\sTrue\s+Applied revision/);
      expect(source).not.toContain('no such file or directory');
      repo.write('jobs/g.yaml', jobYaml('g')).commit('Put g back');
      expect(g.cli(['sync']).code).toBe(0);
      await waitFor('g again', () => {
        const j = g.job('g');
        return j !== undefined && j.metadata.uid !== first && condition(j, 'Complete');
      });
      expect(triggers(g, 'g')).toEqual(['new', 'commit']);
    } finally {
      await g.cleanup();
    }
  });
});
