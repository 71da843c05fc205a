import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobManifest, nowMs, procUsage, startBenchDaemon, timeCommand } from './lib.mjs';

/**
 * 6. Scale: an Indexed Job with many completions, parallelism 16, command true:
 * it completes, memory stays flat, the last tenth runs as fast as the first,
 * and status.completedIndexes stays compact.
 */
export async function scale({ completions: n }) {
  const baseMs = timeCommand('sh', ['-c', `seq ${n} | xargs -P16 -n1 true`]);
  const d = await startBenchDaemon();
  const rss = [];
  const sampler = setInterval(() => {
    try {
      rss.push(procUsage(d.pid).rssMb);
    } catch {
      // the daemon is gone
    }
  }, 2000);
  const t0 = nowMs();
  writeFileSync(join(d.jobs, '.scale.tmp'), jobManifest('scale', `  completionMode: Indexed\n  completions: ${n}\n  parallelism: 16\n`, ['true']));
  renameSync(join(d.jobs, '.scale.tmp'), join(d.jobs, 'scale.yaml'));
  await d.waitFor((r) => r.msg === 'job Completed' && r.job === 'default/scale', 3_600_000);
  const totalMs = nowMs() - t0;
  clearInterval(sampler);
  const finished = d.records.filter((r) => r.msg === 'pod finished').map((r) => Date.parse(r.time));
  const tenth = Math.floor(finished.length / 10);
  const rate = (xs) => (xs.length - 1) / ((xs[xs.length - 1] - xs[0]) / 1000);
  const first = rate(finished.slice(0, tenth));
  const last = rate(finished.slice(-tenth));
  const indexes = d.cli(['get', 'job', 'scale', '-o', 'jsonpath={.status.completedIndexes}']).stdout;
  await d.stop();
  const rssFirst = rss[Math.min(2, rss.length - 1)] ?? 0;
  const rssMax = Math.max(...rss);
  const ok = Math.abs(last - first) / first <= 0.2 && indexes === `0-${n - 1}`;
  return [
    {
      name: 'scale',
      what: `Indexed Job, ${n} completions, parallelism 16, command true`,
      baseline: `seq ${n} | xargs -P16 -n1 true`,
      baselineMs: baseMs,
      gitjobsMs: totalMs,
      ratio: totalMs / baseMs,
      detail: `first tenth ${first.toFixed(0)} pods/s, last tenth ${last.toFixed(0)} pods/s; RSS ${rssFirst.toFixed(0)} → max ${rssMax.toFixed(0)} MB; completedIndexes "${indexes}"`,
      target: 'completes; last tenth within 20 % of the first; memory flat; completedIndexes compact',
      met: ok,
      command: `npm run bench -- scale --completions ${n}`,
    },
  ];
}
