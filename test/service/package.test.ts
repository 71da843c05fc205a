import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killPodGroups, removeStateCgroups, ROOT, tempDir, waitFor } from '../helpers/e2e.js';

// `npm pack` holds everything the daemon needs: the tarball, installed
// globally into an empty prefix, runs the example pi Job. npm may not fetch
// anything here, and better-sqlite3's install script would download or
// compile its addon: so the tarball is installed with its dependencies left
// out of its package.json, and this checkout's production dependencies
// (their compiled addon included) are copied beside it, where npm would
// have put them.

const run = (cmd: string, args: string[], cwd: string): string => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

/** better-sqlite3's SQLite sources and build leftovers, which an installed package never reads. */
const SKIP = new Set(['deps', 'obj', 'obj.target', 'test_extension.node', '.deps']);

let daemon: ReturnType<typeof spawn> | undefined;
let state: string | undefined;
afterAll(async () => {
  if (daemon !== undefined && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon!.once('exit', r));
  }
  if (state !== undefined) {
    killPodGroups(state);
    await removeStateCgroups(state);
  }
});

describe('the packed tarball', () => {
  it('installs into an empty prefix without the network and runs the pi Job', async () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'npm run build first').toBe(true);
    const work = tempDir();
    const t0 = Date.now();
    const packed = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;
    const listing = run('tar', ['tzf', join(work, packed)], work).split('\n');
    for (const f of ['package/bin/gitjobs', 'package/dist/cli/main.js', 'package/dist/executor/runtime/pod-supervisor', 'package/src/executor/runtime/pod-wrapper.sh', 'package/src/service/gitjobs.service']) {
      expect(listing).toContain(f);
    }
    expect(listing.some((f) => f.startsWith('package/test/') || f.startsWith('package/src/hooks/'))).toBe(false);

    run('tar', ['xzf', packed], work);
    const pkgDir = join(work, 'package');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    delete pkg.dependencies;
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2));
    const bare = join(work, 'bare');
    mkdirSync(bare);
    const tarball = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', bare], pkgDir).trim().split('\n').pop()!;
    const prefix = join(work, 'prefix');
    run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(bare, tarball)], work);
    const home = join(prefix, 'lib', 'node_modules', 'gitjobs');
    for (const dep of run('npm', ['ls', '--omit=dev', '--all', '--parseable'], ROOT).trim().split('\n').slice(1)) {
      const rel = relative(ROOT, dep);
      cpSync(dep, join(home, rel), { recursive: true, filter: (src) => !SKIP.has(basename(src)) || src === dep });
    }
    const installed = join(prefix, 'bin', 'gitjobs');
    console.log(`pack + install: ${Date.now() - t0} ms`);
    expect(run(installed, ['version'], work)).toMatch(/^gitjobs version \d+\.\d+\.\d+/);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'gitjobs', 'src', 'service', 'gitjobs.service'))).toBe(true);

    const jobs = join(work, 'jobs');
    mkdirSync(jobs);
    cpSync(join(ROOT, 'jobs', 'pi.yaml'), join(jobs, 'pi.yaml'));
    state = join(work, 'state');
    let log = '';
    daemon = spawn(installed, ['daemon', '--jobs', jobs, '--state', state, '--pod-user', 'root'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.setEncoding('utf8').on('data', (d: string) => (log += d));
    daemon.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    await waitFor('the pi Job complete', () => {
      if (daemon!.exitCode !== null) throw new Error(`daemon exited:\n${log}`);
      const r = spawnSync(installed, ['get', 'job', 'pi', '-o', 'jsonpath={.status.succeeded}', '--state', state!], { encoding: 'utf8' });
      return r.stdout === '1';
    }, 30_000, 200);
    expect(log).toContain('supervisor=compiled');
    const digits = run(installed, ['logs', 'job/pi', '--state', state], work).trim();
    expect(digits).toMatch(/^3\.14159265358979323846/);
    expect(digits.length).toBe(2001);
  });
});
