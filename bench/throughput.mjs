import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobManifest, median, nowMs, startBenchDaemon, timeCommand } from './lib.mjs';

/** 1. Pod throughput: a Job of n `true` pods, parallelism 8, manifest written → Complete, against xargs -P8. */
export async function throughput({ rounds, pods: n }) {
  const manifest = jobManifest('many', `  completions: ${n}\n  parallelism: 8\n`, ['true']);
  const base = [];
  const floor = [];
  const ours = [];
  for (let i = 0; i < rounds; i++) {
    base.push(timeCommand('sh', ['-c', `seq ${n} | xargs -P8 -n1 true`]));
    floor.push(timeCommand(process.execPath, [join(import.meta.dirname, 'spawn-floor.mjs'), String(n), '8']));
    const d = await startBenchDaemon();
    const t0 = nowMs();
    writeFileSync(join(d.jobs, '.many.tmp'), manifest);
    renameSync(join(d.jobs, '.many.tmp'), join(d.jobs, 'many.yaml'));
    await d.waitFor((r) => r.msg === 'job Completed' && r.job === 'default/many');
    ours.push(nowMs() - t0);
    await d.stop();
  }
  const b = median(base);
  const f = median(floor);
  const g = median(ours);
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
      command: `npm run bench -- throughput --pods ${n} --rounds ${rounds}`,
    },
    {
      name: 'pod throughput',
      what: `Job with ${n} completions, parallelism 8, command true: manifest written → Complete`,
      baseline: `seq ${n} | xargs -P8 -n1 true`,
      baselineMs: b,
      gitjobsMs: g,
      ratio: g / b,
      detail: `${((n / b) * 1000).toFixed(0)}/s vs ${((n / g) * 1000).toFixed(0)}/s`,
      target: 'ratio ≤ 2.5',
      met: g / b <= 2.5,
      command: `npm run bench -- throughput --pods ${n} --rounds ${rounds}`,
    },
  ];
}
