import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP, type CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { existingRunRecords } from '../../src/executor/logs/paths.js';
import { podsOf } from '../reliability/harness.js';
import { jobYaml, removeTempDirs, tempDir, WorkRepo } from '../source/fixture.js';
import { readSupervisor } from '../../src/executor/runtime/run-records.js';

// Run notifications as receivers see them: a real daemon following a real
// repository posts to HTTP servers in this process, which parse what arrives
// with the CloudEvents SDK and check signatures and the forge's request shape.

interface Received {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'notify-secret';
const TOKEN = 'ghp_statustoken';
let received: Received[] = [];
let down = false;
let receiver: Server;
let port: number;
let repo: WorkRepo;
let d: DaemonHandle;
let daemonArgs: Parameters<typeof startDaemon>[0];

function events(): CloudEvent<Record<string, any>>[] {
  return received.filter((r) => r.path === '/generic').map((r) => HTTP.toEvent({ headers: r.headers, body: r.body }) as CloudEvent<Record<string, any>>);
}
const eventFor = (type: string, name: string) => events().find((e) => e.type === `io.gitjobs.job.${type}` && e.subject === `default/${name}`);
const statuses = (name: string) =>
  received.filter((r) => r.path.startsWith('/gh/') && (JSON.parse(r.body) as { context: string }).context === `gitjobs/default/${name}`);

/** waitFor with a probe that must not block this process (the receivers live in it). */
async function waitAsync<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const failing = (name: string) => jobYaml(name, 'for i in 1 2 3 4 5; do echo "step $i"; done; echo "boom" >&2; exit 3').replace('spec:\n', 'spec:\n  backoffLimit: 0\n');

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (down) {
        res.writeHead(503).end('down');
        return;
      }
      received.push({ at: Date.now(), method: req.method!, path: req.url!, headers: req.headers, body });
      res.writeHead(req.url!.startsWith('/gh/') ? 201 : 200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  port = (receiver.address() as AddressInfo).port;

  repo = WorkRepo.init();
  repo.write('jobs/ok.yaml', jobYaml('ok', 'echo fine')).write('jobs/bad.yaml', failing('bad')).commit('Two jobs');
  const dir = tempDir();
  const secretFile = join(dir, 'notify-secret');
  writeFileSync(secretFile, SECRET + '\n', { mode: 0o600 });
  const config = join(dir, 'events.yaml');
  writeFileSync(
    config,
    `consoleUrl: http://console.example/
notifications:
- { name: hooks, url: "http://127.0.0.1:${port}/generic", secretFile: ${secretFile}, events: [started, succeeded, failed, pod-lost] }
- { name: chat, url: "http://127.0.0.1:${port}/slack", template: slack, events: [failed] }
commitStatus: { forge: github, apiUrl: "http://127.0.0.1:${port}/gh", repository: acme/jobs, tokenEnv: TEST_STATUS_TOKEN }
retry: { initialInterval: 100ms, maxInterval: 400ms }
`,
  );
  daemonArgs = { dir, sourceArgs: ['--repo', repo.dir], extraArgs: ['--events-config', config], env: { TEST_STATUS_TOKEN: TOKEN } };
  d = await startDaemon(daemonArgs);
});

afterAll(async () => {
  await d?.cleanup();
  await new Promise((r) => receiver.close(r));
  removeTempDirs();
});

describe('notifications', () => {
  it('posts signed CloudEvents for a run start and its end, with commit, duration and the failed log', async () => {
    const failed = await waitFor('the failure event', () => eventFor('failed', 'bad'));
    const ok = await waitFor('the success event', () => eventFor('succeeded', 'ok'));
    expect(eventFor('started', 'bad')).toBeDefined();
    const sha = repo.head();
    expect(failed).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json', source: 'http://console.example' });
    expect(failed.data).toMatchObject({
      job: { namespace: 'default', name: 'bad' },
      revision: `main@sha1:${sha}`,
      commit: { sha, author: 'Ada Lovelace', email: 'ada@example.com', subject: 'Two jobs' },
      result: 'Failed',
      reason: 'BackoffLimitExceeded',
      url: 'http://console.example/#/jobs/default/bad',
      logTail: { container: 'main', exitCode: 3, lines: ['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'boom'] },
    });
    expect(failed.data!.durationSeconds).toEqual(expect.any(Number));
    expect(ok.data).toMatchObject({ result: 'Complete', reason: 'CompletionsReached' });
    expect(ok.data!.logTail).toBeUndefined();
    // Each body carries the HMAC of its bytes under the target's secret.
    for (const r of received.filter((x) => x.path === '/generic')) {
      expect(r.headers['x-gitjobs-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
    }
    const ids = events().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const latency = received.find((r) => r.path === '/generic' && r.body.includes('"io.gitjobs.job.failed"'))!.at - Date.parse(failed.data!.completionTime as string);
    console.log(`notification delivery: failed condition → received ${latency} ms`);
  });

  it('posts a Slack message only for the events the target asked for', async () => {
    const slack = await waitFor('the slack message', () => received.find((r) => r.path === '/slack'));
    const msg = JSON.parse(slack.body) as { text: string; blocks: { text: { text: string } }[] };
    expect(slack.headers['content-type']).toBe('application/json');
    expect(msg.text).toMatch(/^:x: <http:\/\/console\.example\/#\/jobs\/default\/bad\|Job default\/bad> failed \(BackoffLimitExceeded\) in [\d.]+s — [0-9a-f]{12} by Ada Lovelace: Two jobs$/);
    expect(msg.blocks[1]!.text.text).toContain('step 5\nboom');
    expect(received.filter((r) => r.path === '/slack')).toHaveLength(1);
  });

  it("sets the commit's GitHub status: pending, then success or failure, linking the console", async () => {
    const bad = await waitFor('two statuses for bad', () => (statuses('bad').length >= 2 ? statuses('bad') : undefined));
    await waitFor('two statuses for ok', () => statuses('ok').length >= 2);
    const sha = repo.head();
    for (const r of bad) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe(`/gh/repos/acme/jobs/statuses/${sha}`);
      expect(r.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'content-type': 'application/json',
      });
    }
    expect(bad.map((r) => JSON.parse(r.body))).toEqual([
      { state: 'pending', target_url: 'http://console.example/#/jobs/default/bad', description: 'running', context: 'gitjobs/default/bad' },
      { state: 'failure', target_url: 'http://console.example/#/jobs/default/bad', description: expect.stringMatching(/^failed \(BackoffLimitExceeded\) in [\d.]+s$/), context: 'gitjobs/default/bad' },
    ]);
    expect(statuses('ok').map((r) => (JSON.parse(r.body) as { state: string }).state)).toEqual(['pending', 'success']);
  });

  it('tells of a pod whose supervisor was lost', async () => {
    repo.write('jobs/lost.yaml', jobYaml('lost', 'sleep 30').replace('spec:\n', 'spec:\n  backoffLimit: 0\n')).commit('Lost');
    const records = await waitFor('the pod of lost running', () => {
      const pod = podsOf(d.stateDir, 'lost')[0];
      if (pod?.status.phase !== 'Running') return undefined;
      const sup = readSupervisor(existingRunRecords(d.stateDir, pod, 'main', 0));
      return sup === undefined ? undefined : { pod, sup };
    });
    process.kill(records.sup.pid, 'SIGKILL');
    const ev = await waitFor('the pod-lost event', () => events().find((e) => e.type === 'io.gitjobs.pod.lost'));
    expect(ev.subject).toBe(`default/${records.pod.name}`);
    expect(ev.data).toMatchObject({ job: { name: 'lost' }, pod: { uid: records.pod.uid }, container: 'main', exitCode: 137, message: expect.stringContaining('supervisor') });
    await waitFor('and the run failed', () => eventFor('failed', 'lost'));
    expect(events().filter((e) => e.type === 'io.gitjobs.pod.lost')).toHaveLength(1);
  });

  it('keeps deliveries while the receiver is down and through a SIGKILL, and delivers them after the restart', async () => {
    down = true;
    repo.write('jobs/later.yaml', failing('later')).commit('Later');
    // Retried with back-off meanwhile; `get notifications` shows them pending.
    const pending = await waitAsync(
      'pending deliveries retried',
      async () => {
        const r = await cliAsync(['get', 'notifications', '-o', 'json'], { state: d.stateDir });
        const items = (JSON.parse(r.stdout) as { items: { subject: string; target: string; status: string; attempts: number; lastError?: string; type: string }[] }).items;
        const mine = items.filter((i) => i.subject.includes('later'));
        return mine.some((i) => i.type.endsWith('failed') && i.attempts >= 2) ? mine : undefined;
      },
    );
    expect(pending.every((i) => i.status === 'Pending')).toBe(true);
    expect(pending.find((i) => i.attempts >= 2)!.lastError).toBe('HTTP 503 Service Unavailable');
    const table = (await cliAsync(['get', 'notifications'], { state: d.stateDir })).stdout;
    expect(table).toMatch(/^ID\s+EVENT\s+SUBJECT\s+TARGET\s+STATUS\s+ATTEMPTS/);
    expect(table).toMatch(/job\.failed\s+default\/later\s+hooks\s+Pending/);

    await d.stop('SIGKILL');
    down = false;
    const restarted = Date.now();
    d = await startDaemon(daemonArgs);
    const ev = await waitFor('the failure of later delivered after the restart', () => eventFor('failed', 'later'));
    console.log(`outbox after SIGKILL: delivered ${received.find((r) => r.body.includes(ev.id))!.at - restarted} ms after the restart began`);
    await waitFor('its commit status too', () => statuses('later').map((r) => (JSON.parse(r.body) as { state: string }).state).join() === 'pending,failure');
    await waitFor('its slack message too', () => received.some((r) => r.path === '/slack' && r.body.includes('default/later')));
    // Nothing lost, nothing made up: one event per cause (a receiver dedups any redelivery by id).
    const later = events().filter((e) => e.subject === 'default/later');
    expect(new Set(later.map((e) => e.type))).toEqual(new Set(['io.gitjobs.job.started', 'io.gitjobs.job.failed']));
    expect(new Set(later.map((e) => e.id)).size).toBe(2);
    const r = await cliAsync(['get', 'notifications', '-o', 'json'], { state: d.stateDir });
    expect((JSON.parse(r.stdout) as { items: unknown[] }).items).toEqual([]);
  });
});
