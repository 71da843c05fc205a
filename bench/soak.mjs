#!/usr/bin/env node
// Soak test, not part of `npm test`: many short pods across many Jobs while the
// daemon is SIGKILLed and restarted at random. At the end every count must be
// exact and no workload process may be left; daemon RSS is sampled throughout.
//
//   node bench/soak.mjs                                 10,000 pods, 50 Jobs, 20 kills
//   node bench/soak.mjs --pods 2000 --jobs 10 --kills 10
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { RUN_FILE, readWorkloadPid } from '../dist/executor/runtime/run-records.js';
import { killOnExit, tempDir } from './lib.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '10000' },
    jobs: { type: 'string', default: '50' },
    kills: { type: 'string', default: '20' },
    parallelism: { type: 'string', default: '10' },
    'max-minutes': { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const PODS = Number(values.pods);
const JOBS = Number(values.jobs);
const KILLS = Number(values.kills);
const PAR = Number(values.parallelism);
const per = Math.ceil(PODS / JOBS);

const dir = tempDir('gitjobs-soak-');
const jobsDir = join(dir, 'jobs');
const stateDir = join(dir, 'state');
mkdirSync(jobsDir);
for (let j = 0; j < JOBS; j++) {
  writeFileSync(
    join(jobsDir, `soak-${j}.yaml`),
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: soak-${j}\nspec:\n  completions: ${per}\n  parallelism: ${PAR}\n  backoffLimit: 1000\n` +
      `  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["sh", "-c", "echo $HOSTNAME"]\n`,
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let daemon;
function start() {
  const log = openSync(join(dir, 'daemon.log'), 'a');
  daemon = killOnExit(
    spawn(process.execPath, [join(ROOT, 'bin/gitjobs'), 'daemon', '--jobs', jobsDir, '--state', stateDir, '--pod-backoff-base', '100ms'], {
      stdio: ['ignore', log, log],
    }),
  );
  daemon.exited = new Promise((r) => daemon.once('exit', r));
}
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
function counts() {
  const path = join(stateDir, 'gitjobs.db');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const s = db.prepare('SELECT coalesce(sum(succeeded),0) AS succeeded, coalesce(sum(failed),0) AS failed FROM job_status').get();
    const complete = db.prepare("SELECT count(*) AS n FROM job_conditions WHERE type = 'Complete' AND status = 'True'").get().n;
    const pods = db.prepare('SELECT count(*) AS n FROM pods').get().n;
    const podsSucceeded = db.prepare("SELECT count(*) AS n FROM pod_status WHERE phase = 'Succeeded'").get().n;
    const integrity = db.pragma('quick_check', { simple: true });
    return { ...s, complete, pods, podsSucceeded, integrity };
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}
function liveWorkloads() {
  const pgids = new Set();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(`.${RUN_FILE}`)) pgids.add(readWorkloadPid(p.slice(0, -RUN_FILE.length)) ?? 0);
    }
  };
  // The supervisors' workload records, in the run files beside the logs.
  if (existsSync(join(stateDir, 'logs'))) walk(join(stateDir, 'logs'));
  let live = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (pgids.has(Number(f[2])) && f[0] !== 'Z') live++;
    } catch {}
  }
  return live;
}

const t0 = Date.now();
const deadline = t0 + Number(values['max-minutes']) * 60_000;
const rss = [];
start();
let kills = 0;
const sampler = setInterval(() => {
  const r = rssMb(daemon.pid);
  if (r !== undefined) rss.push(r);
}, 500);
// Kills are spread over the expected run: at random moments while work remains.
while (kills < KILLS && Date.now() < deadline) {
  await sleep(1000 + Math.random() * 4000);
  const c = counts();
  if (c && c.complete === JOBS) break;
  daemon.kill('SIGKILL');
  await daemon.exited;
  kills++;
  start();
}
let final;
while (Date.now() < deadline) {
  final = counts();
  if (final && final.complete === JOBS) break;
  await sleep(500);
}
const elapsed = (Date.now() - t0) / 1000;
clearInterval(sampler);
daemon.kill('SIGTERM');
await daemon.exited;
await sleep(500);
const stray = liveWorkloads();
final = counts();
const sorted = [...rss].sort((a, b) => a - b);
const summary = {
  pods: per * JOBS,
  jobs: JOBS,
  parallelism: PAR,
  kills,
  seconds: Math.round(elapsed),
  podsPerSecond: Math.round((per * JOBS) / elapsed),
  succeeded: final?.succeeded,
  failed: final?.failed,
  jobsComplete: final?.complete,
  podRows: final?.pods,
  podsSucceeded: final?.podsSucceeded,
  integrity: final?.integrity,
  strayProcesses: stray,
  rssMb: { median: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: Math.round(sorted[sorted.length - 1] ?? 0) },
};
const exact = summary.succeeded === summary.pods && summary.failed === 0 && summary.jobsComplete === JOBS && summary.integrity === 'ok' && stray === 0;
console.log(JSON.stringify({ ...summary, exact }, null, 2));
if (!values.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`state kept in ${dir}`);
process.exit(exact ? 0 : 1);
