import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { jobManifest, startBenchDaemon } from './lib.mjs';

function daemonStats(state) {
  return new Promise((resolve, reject) => {
    const s = connect(join(state, 'daemon.sock'));
    let buf = '';
    s.setEncoding('utf8');
    s.once('connect', () => s.write('{"op":"stats"}\n'));
    s.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        s.end();
        resolve(JSON.parse(buf));
      }
    });
    s.once('error', reject);
  });
}

function writeBytes(pid) {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

/** 5. Write cost: SQLite transactions and bytes written by the daemon per pod lifecycle. */
export async function writes({ pods }) {
  const n = Math.min(pods, 500);
  const d = await startBenchDaemon();
  const before = await daemonStats(d.state);
  const bytes0 = writeBytes(d.pid);
  writeFileSync(join(d.jobs, '.w.tmp'), jobManifest('w', `  completions: ${n}\n  parallelism: 8\n`, ['true']));
  renameSync(join(d.jobs, '.w.tmp'), join(d.jobs, 'w.yaml'));
  await d.waitFor((r) => r.msg === 'job Completed' && r.job === 'default/w');
  const after = await daemonStats(d.state);
  const bytes = writeBytes(d.pid) - bytes0;
  await d.stop();
  const perPod = (after.transactions - before.transactions) / n;
  return [
    {
      name: 'write cost',
      what: `SQLite transactions and bytes written by the daemon per pod (${n} pods of true)`,
      baseline: 'target',
      baselineMs: 4,
      gitjobsMs: perPod,
      ratio: undefined,
      detail: `${perPod.toFixed(2)} transactions per pod; ${(bytes / n / 1024).toFixed(1)} KiB written per pod (WAL, checkpoints, supervisor files, log stamps)`,
      target: '≤ 4 transactions per pod lifecycle',
      met: perPod <= 4,
      command: `npm run bench -- writes`,
    },
  ];
}
