import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobManifest, killOnExit, median, nowMs, percentile, startBenchDaemon, tempDir } from './lib.mjs';
import { serveGit } from './git-http.mjs';

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const git = (cwd, ...args) => {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** Waits for a marker file and returns its modification time: when the pod's process ran. */
async function markerTime(path, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no marker ${path}`);
    await sleep(2);
  }
  return statSync(path).mtimeMs;
}

/**
 * Where the pods leave their markers. Pods of a root daemon run as nobody, and
 * the daemon's temp folder is 0700: the folder is opened to them as /tmp is.
 */
function markerDir(d) {
  const markers = join(d.dir, 'markers');
  mkdirSync(markers);
  chmodSync(d.dir, 0o711);
  chmodSync(markers, 0o1777);
  return markers;
}

/** The floor: a bare watcher process that spawns `touch` on the first event of each file; resolves once it listens. */
async function floorWatcher(watchDir, markerDir) {
  const script = `
    const fs = require('fs'), cp = require('child_process'), path = require('path');
    const seen = new Set();
    fs.watch(${JSON.stringify(watchDir)}, (ev, f) => {
      if (!f || f.startsWith('.') || seen.has(f)) return;
      seen.add(f);
      cp.spawn('touch', [path.join(${JSON.stringify(markerDir)}, f)], { stdio: 'ignore' });
    });
    process.stdout.write('ready\\n');`;
  const child = killOnExit(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise((r) => child.stdout.once('data', r));
  return child;
}

function result(name, what, baseline, base, ours, targetMs, command) {
  const b = median(base);
  const g = median(ours);
  return {
    name,
    what,
    baseline,
    baselineMs: b,
    gitjobsMs: g,
    ratio: g / b,
    detail: `p50 ${g.toFixed(1)} ms, p90 ${percentile(ours, 90).toFixed(1)} ms over ${ours.length}`,
    target: `p50 ≤ ${targetMs} ms`,
    met: g <= targetMs,
    command,
  };
}

/** 2. Reaction latency: file written, commit made, or `gitjobs sync` → the pod's process started. */
export async function latency({ rounds }) {
  const n = Math.max(rounds, 10);
  const out = [];

  // File written in the watched folder.
  {
    const base = [];
    const floorDir = tempDir('gitjobs-bench-floor-');
    mkdirSync(join(floorDir, 'w'));
    mkdirSync(join(floorDir, 'm'));
    const floor = await floorWatcher(join(floorDir, 'w'), join(floorDir, 'm'));
    const d = await startBenchDaemon();
    const markers = markerDir(d);
    const ours = [];
    for (let i = 0; i < n; i++) {
      const t0 = Date.now();
      writeFileSync(join(floorDir, 'w', `f${i}`), 'x');
      base.push((await markerTime(join(floorDir, 'm', `f${i}`))) - t0);
      const name = `lat-${i}`;
      const t1 = Date.now();
      writeFileSync(join(d.jobs, `.${name}.tmp`), jobManifest(name, '', ['touch', join(markers, name)]));
      renameSync(join(d.jobs, `.${name}.tmp`), join(d.jobs, `${name}.yaml`));
      ours.push((await markerTime(join(markers, name))) - t1);
    }
    floor.kill();
    await d.stop();
    out.push(result('reaction latency: file', 'manifest written in the watched folder → pod process started', 'fs.watch + spawn(touch) in a bare Node process', base, ours, 100, `npm run bench -- latency --rounds ${rounds}`));
  }

  // Commit in a local repository.
  {
    const repoDir = tempDir('gitjobs-bench-repo-');
    git(repoDir, 'init', '-q');
    git(repoDir, 'commit', '-q', '--allow-empty', '-m', 'start');
    const d = await startBenchDaemon({ sourceArgs: ['--repo', repoDir] });
    const markers = markerDir(d);
    const floorDir = tempDir('gitjobs-bench-floor-');
    mkdirSync(join(floorDir, 'm'));
    const base = [];
    const ours = [];
    for (let i = 0; i < n; i++) {
      const name = `commit-${i}`;
      writeFileSync(join(repoDir, `${name}.yaml`), jobManifest(name, '', ['touch', join(markers, name)]));
      git(repoDir, 'add', '-A');
      // The baseline watches the branch ref the same way, with nothing else to do.
      const floor = await floorWatcher(join(repoDir, '.git', 'refs', 'heads'), join(floorDir, 'm'));
      const t0 = Date.now();
      git(repoDir, 'commit', '-q', '-m', name);
      ours.push((await markerTime(join(markers, name))) - t0);
      base.push((await markerTime(join(floorDir, 'm', 'main'))) - t0);
      floor.kill();
      spawnSync('rm', ['-f', join(floorDir, 'm', 'main')]);
    }
    await d.stop();
    out.push(result('reaction latency: local commit', 'git commit in a local repository → pod process started', 'fs.watch on .git/refs/heads + spawn(touch)', base, ours, 500, `npm run bench -- latency --rounds ${rounds}`));
  }

  // gitjobs sync against an HTTP remote on loopback.
  {
    const root = tempDir('gitjobs-bench-remote-');
    const work = tempDir('gitjobs-bench-work-');
    git(work, 'init', '-q');
    git(work, 'commit', '-q', '--allow-empty', '-m', 'start');
    git(root, 'clone', '-q', '--bare', work, 'jobs.git');
    git(work, 'remote', 'add', 'origin', join(root, 'jobs.git'));
    const server = await serveGit(root);
    const mirror = tempDir('gitjobs-bench-mirror-');
    // The server lives in this process: git must run without blocking it.
    await new Promise((res) => spawn('git', ['clone', '-q', server.url('jobs.git'), 'm'], { cwd: mirror, env: GIT_ENV, stdio: 'ignore' }).once('exit', res));
    const d = await startBenchDaemon({ sourceArgs: ['--repo', server.url('jobs.git'), '--branch', 'main', '--interval', '1h'] });
    const markers = markerDir(d);
    const base = [];
    const ours = [];
    for (let i = 0; i < n; i++) {
      const name = `remote-${i}`;
      writeFileSync(join(work, `${name}.yaml`), jobManifest(name, '', ['touch', join(markers, name)]));
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', name);
      git(work, 'push', '-q', 'origin', 'main');
      const t0 = Date.now();
      await new Promise((res, rej) => {
        const c = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'gitjobs'), 'sync'], { env: { ...process.env, GITJOBS_STATE: d.state }, stdio: 'ignore' });
        c.once('exit', (code) => (code === 0 ? res() : rej(new Error('sync failed'))));
      });
      ours.push((await markerTime(join(markers, name))) - t0);
      const t1 = nowMs();
      await new Promise((res) => spawn('git', ['-C', join(mirror, 'm'), 'fetch', '-q'], { env: GIT_ENV, stdio: 'ignore' }).once('exit', res));
      base.push(nowMs() - t1);
    }
    await d.stop();
    await server.close();
    out.push(result('reaction latency: remote sync', 'gitjobs sync of a new commit on an HTTP remote (loopback) → pod process started', 'native git fetch of the same commit', base, ours, 1000, `npm run bench -- latency --rounds ${rounds}`));
  }
  return out;
}
