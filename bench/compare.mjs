#!/usr/bin/env node
// Two builds against each other on the pod-throughput Job, in alternating
// runs (ABBA), so a machine whose speed drifts weighs on both alike.
//
//   node bench/compare.mjs --base ../old-checkout [--candidate .] [--pods 2000]
//        [--parallelism 8] [--rounds 4] [--node-max-pods 110] [--shell 'sleep $((JOB_COMPLETION_INDEX % 20))']
//
// --shell runs each pod as `sh -c SCRIPT` in an Indexed Job (JOB_COMPLETION_INDEX
// set) in place of `true`: a Job with many pods running at once, ending apart.
//
// Each checkout must be built (`npm run build`). Per run: wall time from the
// manifest written to the Job Complete, the whole machine's CPU per pod (from
// /proc/stat) and the daemon's own CPU per pod; per round, xargs running the
// same number of `true`s as the yardstick. Prints medians and each pair's
// candidate/base ratio.
import { execSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    candidate: { type: 'string', default: join(import.meta.dirname, '..') },
    pods: { type: 'string', default: '2000' },
    parallelism: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '4' },
    'node-max-pods': { type: 'string' },
    shell: { type: 'string' },
  },
});
if (values.base === undefined) throw new Error('usage: node bench/compare.mjs --base CHECKOUT [--candidate CHECKOUT] [--pods N] [--parallelism P] [--rounds R] [--node-max-pods M]');
const n = Number(values.pods);
const parallelism = Number(values.parallelism);
const rounds = Number(values.rounds);
const trees = [
  { name: 'base', dir: resolve(values.base) },
  { name: 'candidate', dir: resolve(values.candidate) },
];
for (const t of trees) t.lib = await import(join(t.dir, 'bench', 'lib.mjs'));

/** Busy CPU time of the whole machine so far, in ms (USER_HZ is 100 on every Linux build Node runs on). */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - f[4]) * 10;
}

async function once(tree) {
  const extraArgs = values['node-max-pods'] === undefined ? [] : ['--node-max-pods', values['node-max-pods']];
  const d = await tree.lib.startBenchDaemon({ extraArgs });
  const c0 = machineBusyMs();
  const u0 = tree.lib.procUsage(d.pid).cpuMs;
  const t0 = performance.now();
  const mode = values.shell === undefined ? '' : '  completionMode: Indexed\n';
  const command = values.shell === undefined ? ['true'] : ['sh', '-c', values.shell];
  writeFileSync(join(d.jobs, '.many.tmp'), tree.lib.jobManifest('many', `${mode}  completions: ${n}\n  parallelism: ${parallelism}\n`, command));
  renameSync(join(d.jobs, '.many.tmp'), join(d.jobs, 'many.yaml'));
  await d.waitFor((r) => r.msg === 'job Completed' && r.job === 'default/many', 3_600_000);
  const r = { ms: performance.now() - t0, cpu: (machineBusyMs() - c0) / n, daemon: (tree.lib.procUsage(d.pid).cpuMs - u0) / n };
  await d.stop();
  return r;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const runs = trees.map(() => []);
const xargs = [];
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  execSync(`seq ${n} | xargs -P8 -n1 true`);
  xargs.push(performance.now() - t0);
  for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
    const r = await once(trees[k]);
    runs[k].push(r);
    console.log(`round ${i + 1} ${trees[k].name.padEnd(9)} ${r.ms.toFixed(0)} ms, CPU per pod: machine ${r.cpu.toFixed(2)} ms, daemon ${r.daemon.toFixed(2)} ms`);
  }
}
const x = median(xargs);
console.log(`\n${n} pods of ${values.shell ?? 'true'}, parallelism ${parallelism}, ${rounds} rounds; xargs -P8 -n1 true median ${x.toFixed(0)} ms`);
for (const [k, t] of trees.entries()) {
  const ms = median(runs[k].map((r) => r.ms));
  console.log(
    `${t.name.padEnd(9)} ${t.dir}: median ${ms.toFixed(0)} ms (${(ms / x).toFixed(2)}× xargs), CPU per pod: machine ${median(runs[k].map((r) => r.cpu)).toFixed(2)} ms, daemon ${median(runs[k].map((r) => r.daemon)).toFixed(2)} ms`,
  );
}
const pairs = (f) => runs[0].map((b, i) => (f(runs[1][i]) / f(b)).toFixed(2)).join(' ');
console.log(`candidate/base per pair: time ${pairs((r) => r.ms)}; machine CPU ${pairs((r) => r.cpu)}; daemon CPU ${pairs((r) => r.daemon)}`);
