import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, median, nowMs, tempDir, timeCommand } from './lib.mjs';
import { seedStore } from './seed.mjs';

function timeCli(args, state) {
  const t0 = nowMs();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, GITJOBS_STATE: state }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`gitjobs ${args.join(' ')} failed: ${r.stderr}`);
  return nowMs() - t0;
}

/** 3. CLI latency on a store of 10,000 Jobs and 50,000 pods, against `node -e 0`. */
export async function cliLatency({ rounds }) {
  const dir = tempDir('gitjobs-bench-cli-');
  const state = join(dir, 'state');
  await seedStore(state, 10_000, 5);
  // Each with what its output must show, so that a fast but wrong command cannot pass.
  const cases = [
    ['get jobs', ['get', 'jobs'], 250, (text) => text.split('\n').length === 10_002 && text.includes('\njob-05000   Complete   5/5')],
    ['describe job', ['describe', 'job', 'job-05000'], 150, (text) => /^Name: +job-05000\n/.test(text) && text.includes('5 Succeeded')],
    ['get pods -l job-name=X', ['get', 'pods', '-l', 'job-name=job-05000'], 150, (text) => text.split('\n').length === 7 && text.includes('\njob-05000-p4 ')],
  ];
  const out = [];
  for (const [name, args, targetMs, check] of cases) {
    const shown = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, GITJOBS_STATE: state }, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (shown.status !== 0 || !check(shown.stdout)) throw new Error(`gitjobs ${args.join(' ')} printed something unexpected:\n${shown.stdout.slice(0, 2000)}${shown.stderr}`);
    const base = [];
    const ours = [];
    for (let i = 0; i < Math.max(rounds, 5); i++) {
      base.push(timeCommand(process.execPath, ['-e', '0']));
      ours.push(timeCli(args, state));
    }
    const b = median(base);
    const g = median(ours);
    out.push({
      name: `CLI latency: ${name}`,
      what: '10,000 Jobs and 50,000 pods in the store',
      baseline: 'node -e 0',
      baselineMs: b,
      gitjobsMs: g,
      ratio: g / b,
      target: `≤ ${targetMs} ms wall`,
      met: g <= targetMs,
      command: `npm run bench -- cli --rounds ${rounds}`,
    });
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}
