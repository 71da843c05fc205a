#!/usr/bin/env node
// Benchmarks that compare gitjobs against a baseline measured in the same run,
// alternating, and report medians and ratios. Not part of `npm test`.
//
//   npm run bench                       all benchmarks, 3 rounds
//   npm run bench -- --rounds 5 --json  machine-readable output
//   npm run bench -- throughput         one benchmark
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedStore } from './seed.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'gitjobs');

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false }, pods: { type: 'string', default: '2000' } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const wanted = new Set(positionals.length > 0 ? positionals : ['throughput', 'cli']);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeCommand(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${cmd} failed`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Starts a daemon on an empty folder, writes the manifest, and times manifest → Complete. */
async function timeGitjobsJob(manifest, name) {
  const dir = mkdtempSync(join(tmpdir(), 'gitjobs-bench-'));
  const jobs = join(dir, 'jobs');
  const state = join(dir, 'state');
  mkdirSync(jobs);
  const daemon = spawn(process.execPath, [CLI, 'daemon', '--jobs', jobs, '--state', state, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  daemon.stdout.setEncoding('utf8');
  const seen = (needle) =>
    new Promise((res, rej) => {
      const check = () => {
        if (out.includes(needle)) {
          daemon.stdout.off('data', onData);
          res(process.hrtime.bigint());
        }
      };
      const onData = (d) => {
        out += d;
        check();
      };
      daemon.stdout.on('data', onData);
      daemon.once('exit', () => rej(new Error(`daemon exited:\n${out.slice(-2000)}`)));
      check();
    });
  await seen('"msg":"daemon ready"');
  const t0 = process.hrtime.bigint();
  writeFileSync(join(jobs, `.${name}.tmp`), manifest);
  spawnSync('mv', [join(jobs, `.${name}.tmp`), join(jobs, `${name}.yaml`)]);
  const t1 = await seen(`"msg":"job Completed","job":"default/${name}"`);
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return Number(t1 - t0) / 1e6;
}

async function throughput() {
  const n = Number(values.pods);
  const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: many
spec:
  completions: ${n}
  parallelism: 8
  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ["true"]
      restartPolicy: Never
`;
  const base = [];
  const ours = [];
  for (let i = 0; i < rounds; i++) {
    base.push(timeCommand('sh', ['-c', `seq ${n} | xargs -P8 -n1 true`]));
    ours.push(await timeGitjobsJob(manifest, 'many'));
  }
  const b = median(base);
  const g = median(ours);
  return {
    name: 'pod throughput',
    what: `Job with ${n} completions, parallelism 8, command true: manifest written → Complete`,
    baseline: `seq ${n} | xargs -P8 -n1 true`,
    baselineMs: b,
    gitjobsMs: g,
    ratio: g / b,
    baselineRate: (n / b) * 1000,
    gitjobsRate: (n / g) * 1000,
    target: 'ratio ≤ 2.5',
    command: `npm run bench -- throughput --pods ${n} --rounds ${rounds}`,
  };
}

function timeCli(args, stateDir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, GITJOBS_STATE: stateDir }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`gitjobs ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function cliLatency() {
  const dir = mkdtempSync(join(tmpdir(), 'gitjobs-bench-cli-'));
  const state = join(dir, 'state');
  await seedStore(state, 10_000, 5);
  const cases = [
    ['get jobs', ['get', 'jobs'], 250],
    ['describe job', ['describe', 'job', 'job-05000'], 150],
    ['get pods -l job-name=X', ['get', 'pods', '-l', 'job-name=job-05000'], 150],
  ];
  const out = [];
  for (const [name, args, targetMs] of cases) {
    const base = [];
    const ours = [];
    for (let i = 0; i < Math.max(rounds, 5); i++) {
      base.push(timeCommand(process.execPath, ['-e', '0']));
      ours.push(timeCli(args, state));
    }
    const b = median(base);
    const g = median(ours);
    out.push({ name: `CLI latency: ${name}`, what: `10,000 Jobs and 50,000 pods in the store`, baseline: 'node -e 0', baselineMs: b, gitjobsMs: g, ratio: g / b, target: `≤ ${targetMs} ms wall`, command: `npm run bench -- cli --rounds ${rounds}` });
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const results = [];
if (wanted.has('throughput')) results.push(await throughput());
if (wanted.has('cli')) results.push(...(await cliLatency()));

if (values.json) {
  console.log(JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, node: process.version, results }, null, 2));
} else {
  for (const r of results) {
    console.log(`${r.name}: ${r.what}`);
    console.log(`  baseline  ${r.baseline}: ${r.baselineMs.toFixed(0)} ms${r.baselineRate === undefined ? '' : ` (${r.baselineRate.toFixed(0)}/s)`}`);
    console.log(`  gitjobs   ${r.gitjobsMs.toFixed(0)} ms${r.gitjobsRate === undefined ? '' : ` (${r.gitjobsRate.toFixed(0)}/s)`}`);
    console.log(`  ratio     ${r.ratio.toFixed(2)}× (${r.target}); median of ${rounds}`);
    console.log(`  reproduce ${r.command}`);
  }
}
