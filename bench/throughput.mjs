import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobManifest, median, nowMs, startBenchDaemon, timeCommand } from './lib.mjs';

// 1. Pod throughput: a Job of n `true` pods, parallelism 8, manifest written →
// Complete, against xargs -P8. The daemon runs twice a round, once with each
// spawner: the compiled launcher (the default where it was built) and the Node
// fork server (GITJOBS_SPAWNER=node), in ABBA order across rounds, so a machine
// that drifts over the run weighs on both alike.

const SPAWNERS = [
  { name: 'launcher', env: {} },
  { name: 'node fork server', env: { GITJOBS_SPAWNER: 'node' } },
];

/** Busy CPU time of the whole machine so far, in ms (every /proc/stat field but idle and iowait). */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // USER_HZ is 100 on every Linux build Node runs on.
  return ((total - f[3] - f[4]) * 1000) / 100;
}

async function runOnce(manifest, env) {
  const d = await startBenchDaemon({ env });
  const cpu0 = machineBusyMs();
  const t0 = nowMs();
  writeFileSync(join(d.jobs, '.many.tmp'), manifest);
  renameSync(join(d.jobs, '.many.tmp'), join(d.jobs, 'many.yaml'));
  await d.waitFor((r) => r.msg === 'job Completed' && r.job === 'default/many');
  const ms = nowMs() - t0;
  const cpu = machineBusyMs() - cpu0;
  await d.stop();
  return { ms, cpu };
}

export async function throughput({ rounds, pods: n }) {
  const manifest = jobManifest('many', `  completions: ${n}\n  parallelism: 8\n`, ['true']);
  const base = [];
  const baseCpu = [];
  const floor = [];
  const ours = SPAWNERS.map(() => ({ ms: [], cpu: [] }));
  for (let i = 0; i < rounds; i++) {
    const c0 = machineBusyMs();
    base.push(timeCommand('sh', ['-c', `seq ${n} | xargs -P8 -n1 true`]));
    baseCpu.push((machineBusyMs() - c0) / n);
    floor.push(timeCommand(process.execPath, [join(import.meta.dirname, 'spawn-floor.mjs'), String(n), '8']));
    const order = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const r = await runOnce(manifest, SPAWNERS[k].env);
      ours[k].ms.push(r.ms);
      ours[k].cpu.push(r.cpu / n);
    }
  }
  const b = median(base);
  const f = median(floor);
  const command = `npm run bench -- throughput --pods ${n} --rounds ${rounds}`;
  return [
    {
      name: 'spawn floor',
      label: 'node',
      what: `a bare Node process spawning ${n} × true, 8 at a time (what any runner in Node pays before doing anything else)`,
      baseline: `seq ${n} | xargs -P8 -n1 true`,
      baselineMs: b,
      gitjobsMs: f,
      ratio: f / b,
      detail: `${((n / b) * 1000).toFixed(0)}/s vs ${((n / f) * 1000).toFixed(0)}/s`,
      command,
    },
    ...SPAWNERS.map((s, k) => {
      const g = median(ours[k].ms);
      const cpu = median(ours[k].cpu);
      return {
        name: `pod throughput (${s.name})`,
        what: `Job with ${n} completions, parallelism 8, command true: manifest written → Complete; machine CPU per pod ${cpu.toFixed(2)} ms against ${median(baseCpu).toFixed(2)} ms per xargs true (runs: ${ours[k].ms.map((x) => x.toFixed(0)).join(', ')} ms)`,
        baseline: `seq ${n} | xargs -P8 -n1 true`,
        baselineMs: b,
        gitjobsMs: g,
        ratio: g / b,
        detail: `${((n / b) * 1000).toFixed(0)}/s vs ${((n / g) * 1000).toFixed(0)}/s`,
        target: 'ratio ≤ 4 on disk, ≤ 2.5 on tmpfs; CPU per pod ≤ 3.5 ms',
        met: g / b <= 4 && cpu <= 3.5,
        command,
      };
    }),
  ];
}
