import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { median, nowMs, startBenchDaemon, tempDir } from './lib.mjs';
import { seedStore } from './seed.mjs';

async function timed(url, token) {
  const t0 = nowMs();
  const r = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body.slice(0, 200)}`);
  return { ms: nowMs() - t0, bytes: body.length, lines: body.split('\n').length };
}

/** Cost of one /metrics scrape of a daemon with 10,000 finished Jobs, against an HTTP round trip to /healthz. */
export async function metrics({ rounds }) {
  const dir = tempDir('gitjobs-bench-metrics-');
  await seedStore(join(dir, 'state'), 10_000, 1);
  const d = await startBenchDaemon({ dir, env: { GITJOBS_LISTEN: '127.0.0.1:0' } });
  const { url } = JSON.parse(readFileSync(join(d.state, 'api-listener.json'), 'utf8'));
  const token = readFileSync(join(d.state, 'api-token-readonly'), 'utf8').trim();
  const n = Math.max(rounds, 1) * 10;
  const scrapes = [];
  const health = [];
  // The first scrape prepares its statements and warms the code: reported apart.
  const first = await timed(`${url}/metrics`, token);
  for (let i = 0; i < n; i++) {
    scrapes.push(await timed(`${url}/metrics`, token));
    health.push(await timed(`${url}/healthz`, token));
  }
  await d.stop();
  const changed = await changedScrapes(n);
  const ms = median(scrapes.map((s) => s.ms));
  const base = median(health.map((s) => s.ms));
  return [
    {
      name: 'metrics scrape',
      what: `GET /metrics of a daemon with 10,000 finished Jobs (${scrapes[0].lines} lines, ${(scrapes[0].bytes / 1024).toFixed(0)} KiB), median of ${n}`,
      baseline: 'GET /healthz on the same listener',
      baselineMs: base,
      gitjobsMs: ms,
      ratio: undefined,
      detail: `first scrape ${first.ms.toFixed(0)} ms; max ${Math.max(...scrapes.map((s) => s.ms)).toFixed(0)} ms`,
      target: '≤ 100 ms',
      met: ms <= 100,
      command: `npm run bench -- metrics --rounds ${rounds}`,
    },
    {
      name: 'metrics scrape, store changed',
      what: `the same 10,000 Jobs, one Job's status written before each scrape (that Job read and rendered again; in process, no HTTP), median of ${n}`,
      baseline: 'none',
      baselineMs: undefined,
      gitjobsMs: median(changed),
      ratio: undefined,
      detail: `max ${Math.max(...changed).toFixed(0)} ms`,
      target: '≤ 100 ms',
      met: median(changed) <= 100,
      command: `npm run bench -- metrics --rounds ${rounds}`,
    },
  ];
}

/** Scrapes through the metrics module itself after a write each time, so nothing of the last answer can be reused as a whole. */
async function changedScrapes(n) {
  const dir = tempDir('gitjobs-bench-metrics-');
  await seedStore(join(dir, 'state'), 10_000, 1);
  const { openDb } = await import('../dist/store/db.js');
  const { countTransactions } = await import('../dist/store/stats.js');
  const { DaemonMetrics } = await import('../dist/metrics/daemon-metrics.js');
  const db = openDb(join(dir, 'state', 'gitjobs.db'));
  const m = new DaemonMetrics({ db, walPath: join(dir, 'state', 'gitjobs.db-wal'), writeStats: countTransactions(db), queue: () => ({ ready: 0, delayed: 0 }) });
  await m.scrape();
  const out = [];
  for (let i = 0; i < n; i++) {
    db.transaction(() => db.prepare('UPDATE job_status SET ready = ? WHERE rowid = 1').run(i % 2))();
    const t0 = nowMs();
    await m.scrape();
    out.push(nowMs() - t0);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return out;
}
