// The Kubernetes API's costs inside the daemon: a list of 10,000 Jobs as
// JSON and as a Table against the same read through the CLI, how long a
// watch event takes to reach its client after the write, and what 100 idle
// watches cost in memory and CPU.
//
//   npm run bench -- api --rounds 5       (or: node bench/api.mjs)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { CLI, median, nowMs, percentile, procUsage, startBenchDaemon, tempDir } from './lib.mjs';
import { seedStore } from './seed.mjs';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

function get(url, token, accept = 'application/json') {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}`, accept } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ ms: nowMs() - t0, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function send(method, url, token, body, type) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, method, headers: { authorization: `Bearer ${token}`, 'content-type': type } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A watch whose events are handed to `onEvent` with their arrival time. */
function watch(url, token, onEvent) {
  const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (s) => {
      const at = nowMs();
      buf += s;
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        onEvent(JSON.parse(buf.slice(0, nl)), at);
        buf = buf.slice(nl + 1);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return req;
}

function timeCli(args, state) {
  const t0 = nowMs();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, GITJOBS_STATE: state }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`gitjobs ${args.join(' ')} failed: ${r.stderr}`);
  return nowMs() - t0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function apiBench({ rounds = 5 } = {}) {
  const dir = tempDir('gitjobs-bench-api-');
  await seedStore(join(dir, 'state'), 10_000, 1);
  const d = await startBenchDaemon({ dir, extraArgs: ['--listen', '127.0.0.1:0'] });
  const out = [];
  try {
    const { url } = JSON.parse(readFileSync(join(d.state, 'api-listener.json'), 'utf8'));
    const token = readFileSync(join(d.state, 'api-token'), 'utf8').trim();
    const jobs = `${url}/apis/batch/v1/namespaces/default/jobs`;

    // 100 idle watches: memory they hold and CPU while nothing changes.
    // First, before the large lists leave garbage that a collection during the measurement would free.
    // The position comes from the namespace list, which reads no Jobs.
    const now = JSON.parse((await get(`${url}/api/v1/namespaces`, token)).body).metadata.resourceVersion;
    await sleep(1000);
    const before = procUsage(d.pid);
    const watches = [];
    for (let i = 0; i < 100; i++) watches.push(watch(`${jobs}?watch=1&resourceVersion=${now}`, token, () => {}));
    await sleep(3000);
    const opened = procUsage(d.pid);
    await sleep(10_000);
    const idle = procUsage(d.pid);
    for (const x of watches) x.destroy();
    const mem = opened.rssMb - before.rssMb;
    const cpu = idle.cpuMs - opened.cpuMs;
    out.push({ name: 'API: 100 idle watches', what: 'daemon RSS growth once 100 watches are open; daemon CPU over the next 10 s', baseline: 'none', gitjobsMs: undefined, label: 'cost', detail: `+${mem.toFixed(1)} MB RSS, ${cpu.toFixed(0)} ms CPU in 10 s`, target: '< 5 MB and no CPU', met: mem < 5 && cpu <= 50, command: 'npm run bench -- api' });
    const check = await get(jobs, token);
    const count = JSON.parse(check.body).items.length;
    if (count !== 10_000) throw new Error(`the list has ${count} Jobs, not 10,000`);
    const table = JSON.parse((await get(jobs, token, TABLE)).body);
    if (table.kind !== 'Table' || table.rows.length !== 10_000) throw new Error('the Table is not 10,000 rows');
    const n = Math.max(rounds, 5);
    const measure = async (fn) => {
      const xs = [];
      for (let i = 0; i < n; i++) xs.push(await fn());
      return median(xs);
    };
    const cliJson = await measure(() => timeCli(['get', 'jobs', '-o', 'json'], d.state));
    const apiJson = await measure(async () => (await get(jobs, token)).ms);
    const cliTable = await measure(() => timeCli(['get', 'jobs'], d.state));
    const apiTable = await measure(async () => (await get(jobs, token, TABLE)).ms);
    const pagedTable = await measure(async () => {
      let total = 0;
      let next = '';
      for (;;) {
        const r = await get(`${jobs}?limit=500${next === '' ? '' : `&continue=${next}`}`, token, TABLE);
        total += r.ms;
        next = JSON.parse(r.body).metadata.continue ?? '';
        if (next === '') return total;
      }
    });
    out.push(
      { name: 'API list of 10,000 Jobs as a Table in pages of 500', what: 'what kubectl get jobs asks for (--chunk-size 500): 20 requests, summed', baseline: 'gitjobs get jobs', baselineMs: cliTable, gitjobsMs: pagedTable, ratio: pagedTable / cliTable, target: '≤ 200 ms', met: pagedTable <= 200, command: 'npm run bench -- api' },
      { name: 'API list of 10,000 Jobs as JSON', what: 'GET /apis/batch/v1/namespaces/default/jobs, whole response read', baseline: 'gitjobs get jobs -o json', baselineMs: cliJson, gitjobsMs: apiJson, ratio: apiJson / cliJson, target: '≤ 200 ms', met: apiJson <= 200, command: 'npm run bench -- api' },
      { name: 'API list of 10,000 Jobs as a Table', what: 'the same with Accept: as=Table (what kubectl get asks for)', baseline: 'gitjobs get jobs', baselineMs: cliTable, gitjobsMs: apiTable, ratio: apiTable / cliTable, target: '≤ 200 ms', met: apiTable <= 200, command: 'npm run bench -- api' },
    );

    // Watch latency: a merge patch of a label, from its request to the event's arrival (an upper bound on commit → client).
    const rv = JSON.parse((await get(`${jobs}?limit=1`, token)).body).metadata.resourceVersion;
    const pending = new Map();
    const latencies = [];
    const w = watch(`${jobs}?watch=1&resourceVersion=${rv}`, token, (ev, at) => {
      const v = ev.object?.metadata?.labels?.bench;
      const t0 = pending.get(v);
      if (t0 !== undefined) {
        latencies.push(at - t0);
        pending.delete(v);
      }
    });
    await sleep(200);
    for (let i = 0; i < 50; i++) {
      const name = `job-${String(i * 97).padStart(5, '0')}`;
      pending.set(String(i), nowMs());
      await send('PATCH', `${jobs}/${name}`, token, { metadata: { labels: { bench: String(i) } } }, 'application/merge-patch+json');
      const deadline = nowMs() + 2000;
      while (pending.has(String(i)) && nowMs() < deadline) await sleep(1);
    }
    w.destroy();
    if (latencies.length !== 50) throw new Error(`${50 - latencies.length} watch events never arrived`);
    const p50 = median(latencies);
    const p95 = percentile(latencies, 95);
    out.push({ name: 'API watch latency', what: '50 label patches, PATCH sent → its MODIFIED event read by the watcher', baseline: 'none', gitjobsMs: p50, detail: `p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`, target: '≤ 50 ms', met: p95 <= 50, command: 'npm run bench -- api' });

  } finally {
    await d.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await apiBench()) console.log(JSON.stringify(r));
}
