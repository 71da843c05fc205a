import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { killOnExit, procUsage, startBenchDaemon, tempDir } from './lib.mjs';
import { seedStore } from './seed.mjs';

/** Samples CPU and RSS of a process over `seconds`, after a warm-up. */
async function idleFigures(pid, seconds) {
  await sleep(3000);
  const a = procUsage(pid);
  await sleep(seconds * 1000);
  const b = procUsage(pid);
  return { cpuPercent: ((b.cpuMs - a.cpuMs) / (seconds * 1000)) * 100, rssMb: b.rssMb };
}

/** 4. Idle cost: a daemon with 10,000 finished Jobs in its store, against an idle Node process. */
export async function idle({ idleSeconds }) {
  const dir = tempDir('gitjobs-bench-idle-');
  await seedStore(join(dir, 'state'), 10_000, 1);
  const d = await startBenchDaemon({ dir });
  const ours = await idleFigures(d.pid, idleSeconds);
  await d.stop();
  const baseline = killOnExit(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
  const base = await idleFigures(baseline.pid, idleSeconds);
  baseline.kill();
  return [
    {
      name: 'idle cost',
      what: `daemon with 10,000 finished Jobs, CPU over ${idleSeconds} s and RSS`,
      baseline: 'node -e "setInterval(() => {}, 1000)"',
      baselineMs: base.cpuPercent,
      gitjobsMs: ours.cpuPercent,
      ratio: undefined,
      detail: `CPU ${ours.cpuPercent.toFixed(2)} % vs ${base.cpuPercent.toFixed(2)} %; RSS ${ours.rssMb.toFixed(0)} MB vs ${base.rssMb.toFixed(0)} MB`,
      target: 'CPU < 1 %, RSS < 150 MB',
      met: ours.cpuPercent < 1 && ours.rssMb < 150,
      command: `npm run bench -- idle --idle-seconds ${idleSeconds}`,
    },
  ];
}
