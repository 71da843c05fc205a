import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, jobYaml, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';

// A real daemon with a Job that completes and one that fails, scraped over
// its listener, checked with promtool, and scraped by a real Prometheus.

const OK = jobYaml(
  'ok',
  `  activeDeadlineSeconds: 600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "echo done"]}]
`,
  '  labels: {app.kubernetes.io/name: demo}\n',
);
const BAD = jobYaml(
  'bad',
  `  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "exit 3"]}]
`,
);

/** `name{labels} value` lines as a map from `name{labels}` to the value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('/metrics on a real daemon', () => {
  let d: DaemonHandle;
  let url: string;
  let readToken: string;
  let scrape: () => Promise<{ status: number; type: string | null; text: string }>;
  let prometheus: ChildProcess | undefined;

  beforeAll(async () => {
    d = await startDaemon({ files: { 'ok.yaml': OK, 'bad.yaml': BAD }, backoff: '50ms' });
    url = (JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string }).url;
    readToken = readFileSync(join(d.stateDir, 'api-token-readonly'), 'utf8').trim();
    scrape = async () => {
      const r = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${readToken}` } });
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    await waitFor('ok complete and bad failed', () => condition(d.job('ok'), 'Complete') && condition(d.job('bad'), 'Failed'), 30_000);
  });
  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    await d?.cleanup();
  });

  it('needs a token, and takes the read-only one', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const r = await scrape();
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it("gives the Jobs' kube-state-metrics series as the daemon's own state has them", async () => {
    const ok = d.job('ok')!;
    const bad = d.job('bad')!;
    const s = samples((await scrape()).text);
    const id = (name: string) => `namespace="default",job_name="${name}"`;
    expect(s.get(`kube_job_complete{${id('ok')},condition="true"}`)).toBe(1);
    expect(s.get(`kube_job_complete{${id('ok')},condition="false"}`)).toBe(0);
    expect(s.get(`kube_job_failed{${id('bad')},condition="true"}`)).toBe(1);
    expect(s.has(`kube_job_complete{${id('bad')},condition="true"}`)).toBe(false);
    expect(s.get(`kube_job_status_succeeded{${id('ok')}}`)).toBe(ok.status.succeeded);
    expect(s.get(`kube_job_status_succeeded{${id('bad')}}`)).toBe(0);
    expect(s.get(`kube_job_status_failed{${id('bad')},reason="BackoffLimitExceeded"}`)).toBe(1);
    expect(s.get(`kube_job_status_failed{${id('ok')}}`)).toBe(0);
    expect(s.get(`kube_job_status_active{${id('ok')}}`)).toBe(0);
    expect(s.get(`kube_job_status_start_time{${id('ok')}}`)).toBe(Math.floor(Date.parse(ok.status.startTime!) / 1000));
    expect(s.get(`kube_job_status_completion_time{${id('ok')}}`)).toBe(Math.floor(Date.parse(ok.status.completionTime!) / 1000));
    expect(s.has(`kube_job_status_completion_time{${id('bad')}}`)).toBe(false);
    expect(s.get(`kube_job_spec_completions{${id('ok')}}`)).toBe(1);
    expect(s.get(`kube_job_spec_active_deadline_seconds{${id('ok')}}`)).toBe(600);
    expect(s.has(`kube_job_spec_active_deadline_seconds{${id('bad')}}`)).toBe(false);
    const labels = [...s.keys()].find((k) => k.startsWith(`kube_job_labels{${id('ok')},`));
    expect(labels).toContain('label_app_kubernetes_io_name="demo"');
    // A Job without labels of its own takes its pod template's, as the API server gives it.
    expect([...s.keys()].find((k) => k.startsWith(`kube_job_labels{${id('bad')},`))).toContain(`label_controller_uid="${bad.metadata.uid}"`);
    expect(bad.status.failed).toBe(2);
  });

  it("gives the daemon's own series: pods by outcome, passes, the store, the process", async () => {
    const pods = d.pods();
    const failed = pods.filter((p) => p.status.phase === 'Failed').length;
    const s = samples((await scrape()).text);
    expect(s.get('gitjobs_pods_started_total')).toBe(pods.length);
    expect(s.get('gitjobs_pods_ended_total{phase="Failed",reason=""}')).toBe(failed);
    expect(s.get('gitjobs_pods_ended_total{phase="Succeeded",reason=""}')).toBe(pods.length - failed);
    expect(s.get('gitjobs_pod_start_latency_seconds_count')).toBe(pods.length);
    expect(s.get('gitjobs_reconcile_duration_seconds_count')).toBeGreaterThanOrEqual(pods.length);
    expect(s.get('gitjobs_workqueue_depth')).toBe(0);
    expect(s.get('gitjobs_sqlite_transactions_total')).toBeGreaterThan(pods.length);
    expect(s.get('gitjobs_sqlite_wal_bytes')).toBeGreaterThan(0);
    expect(s.get(`gitjobs_source_ready{source="${d.jobsDir}",kind="dir"}`)).toBe(1);
    expect(s.get(`gitjobs_source_last_applied_timestamp_seconds{source="${d.jobsDir}"}`)).toBeLessThanOrEqual(Date.now() / 1000);
    expect(s.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(s.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('passes promtool check metrics', async () => {
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: (await scrape()).text, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('is scraped by a real Prometheus with the read-only token, and its series queried', async () => {
    const dir = tempDir('gitjobs-prometheus-');
    const port = await freePort();
    writeFileSync(join(dir, 'token'), readToken);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: gitjobs
    authorization: {credentials_file: ${join(dir, 'token')}}
    static_configs: [{targets: ['${new URL(url).host}']}]
`,
    );
    let log = '';
    prometheus = spawn(
      '/usr/bin/prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.data.result;
    };
    // Until it is up and has scraped once, the query fails or finds nothing.
    const deadline = Date.now() + 30_000;
    let result = await query('kube_job_complete{job_name="ok",condition="true"}').catch(() => []);
    while (result.length === 0) {
      if (Date.now() > deadline) throw new Error(`Prometheus found no series:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
      result = await query('kube_job_complete{job_name="ok",condition="true"}').catch(() => []);
    }
    expect(result[0]!.metric).toMatchObject({ job: 'gitjobs', namespace: 'default', job_name: 'ok', condition: 'true' });
    expect(result[0]!.value[1]).toBe('1');
    const failed = await query('sum(gitjobs_pods_ended_total{phase="Failed"})');
    expect(failed[0]!.value[1]).toBe('2');
    expect((await query('up{job="gitjobs"}'))[0]!.value[1]).toBe('1');
  });
});
