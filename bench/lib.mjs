// Shared pieces of the benchmarks: timing, medians, a daemon whose JSON log
// can be waited on, and process figures read from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin', 'gitjobs');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export function timeCommand(cmd, args, opts = {}) {
  const t0 = nowMs();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return nowMs() - t0;
}

// Children a benchmark started go when it does, however it ends: a benchmark
// that failed half-way had left daemons running, which skewed every later run.
const children = new Set();
process.once('exit', () => {
  for (const c of children) c.kill('SIGTERM');
});
process.once('SIGINT', () => process.exit(130));

/** Ends the child with this process; it is forgotten once it has exited. */
export function killOnExit(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** In the OS temp folder: TMPDIR moves it (file creation costs differ a lot between folders of this machine's disk). */
export function tempDir(prefix = 'gitjobs-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A daemon with a JSON log; `waitFor(pred)` resolves with the first log record
 * (parsed) that matches, so a benchmark waits on the daemon's own account.
 */
export async function startBenchDaemon({ dir = tempDir(), sourceArgs, extraArgs = [], env = {}, nodeArgs = [] } = {}) {
  const jobs = join(dir, 'jobs');
  const state = join(dir, 'state');
  mkdirSync(jobs, { recursive: true });
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'daemon', ...(sourceArgs ?? ['--jobs', jobs]), '--state', state, '--log-format', 'json', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  killOnExit(proc);
  const records = [];
  const waiters = [];
  let buf = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let rec;
      try {
        rec = JSON.parse(line);
      } catch {
        continue;
      }
      records.push(rec);
      for (const w of [...waiters]) {
        if (w.pred(rec)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(rec);
        }
      }
    }
  });
  const exited = new Promise((r) => proc.once('exit', r));
  const waitFor = (pred, timeoutMs = 600_000) =>
    new Promise((resolveWait, reject) => {
      const hit = records.find(pred);
      if (hit) return resolveWait(hit);
      const w = { pred, resolve: resolveWait };
      waiters.push(w);
      const t = setTimeout(() => reject(new Error('timed out waiting on the daemon log')), timeoutMs);
      t.unref();
      exited.then(() => reject(new Error('daemon exited')));
    });
  await waitFor((r) => r.msg === 'daemon ready', 60_000);
  return {
    dir,
    jobs,
    state,
    pid: proc.pid,
    records,
    waitFor,
    cli: (args) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, GITJOBS_STATE: state }, encoding: 'utf8' }),
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system, ms) and resident memory (MB) of a process. */
export function procUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  return { cpuMs: (ticks * 1000) / 100, rssMb: rss };
}

export function jobManifest(name, spec, command) {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ${JSON.stringify(command)}
      restartPolicy: Never
`;
}
