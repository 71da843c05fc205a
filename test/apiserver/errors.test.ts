import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// What a client gets when something is refused: the Status objects, codes
// and reasons of a cluster, and limits on what a client can make the daemon hold.

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon();
});
afterAll(async () => {
  await d?.cleanup();
});

const JOBS = '/apis/batch/v1/namespaces/default/jobs';

function job(name: string, extra: Record<string, unknown> = {}, annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, annotations },
    spec: {
      suspend: true,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } },
      ...extra,
    },
  };
}

describe('refusals', () => {
  it('401 without a token, 403 for a write with the read-only token', async () => {
    const none = await d.request('GET', JOBS, { token: null });
    expect([none.status, none.body.reason]).toEqual([401, 'Unauthorized']);
    const wrong = await d.request('GET', JOBS, { token: 'not-the-token-at-all' });
    expect(wrong.status).toBe(401);
    const read = await d.request('GET', JOBS, { token: d.readToken });
    expect([read.status, read.body.kind]).toEqual([200, 'JobList']);
    const write = await d.request('POST', JOBS, { token: d.readToken, body: job('ro') });
    expect([write.status, write.body.reason]).toEqual([403, 'Forbidden']);
    expect((await d.request('GET', `${JOBS}/ro`)).status).toBe(404);
  });

  it('404 NotFound with details; 404 for an unknown resource; 405 for a verb not served', async () => {
    const missing = await d.request('GET', `${JOBS}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'jobs.batch "nope" not found', details: { name: 'nope', group: 'batch', kind: 'jobs' }, code: 404 });
    expect((await d.request('GET', '/apis/apps/v1/namespaces/default/deployments')).status).toBe(404);
    expect((await d.request('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(404);
    const post = await d.request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } });
    expect([post.status, post.body.reason]).toEqual([405, 'MethodNotAllowed']);
    const collection = await d.request('DELETE', JOBS);
    expect(collection.status).toBe(405);
  });

  it('409 AlreadyExists on a second create, 409 Conflict on a stale resourceVersion', async () => {
    const first = await d.request('POST', JOBS, { body: job('twice') });
    expect(first.status).toBe(201);
    const again = await d.request('POST', JOBS, { body: job('twice') });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', message: 'jobs.batch "twice" already exists', details: { name: 'twice', group: 'batch', kind: 'jobs' } });
    const live = (await d.request('GET', `${JOBS}/twice`)).body;
    const rv = live.metadata.resourceVersion as string;
    const changed = await d.request('PATCH', `${JOBS}/twice`, { body: { metadata: { resourceVersion: rv, labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(changed.status).toBe(200);
    expect(Number(changed.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const fresh = (await d.request('GET', `${JOBS}/twice`)).body;
    const put = await d.request('PUT', `${JOBS}/twice`, { body: { ...fresh, metadata: { ...fresh.metadata, labels: { ...fresh.metadata.labels, put: 'yes' } }, spec: { ...fresh.spec, parallelism: 3 } } });
    expect(put.status).toBe(200);
    expect([put.body.metadata.labels.put, put.body.spec.parallelism]).toEqual(['yes', 3]);
    const stale = await d.request('PUT', `${JOBS}/twice`, { body: { ...live, metadata: { ...live.metadata, labels: { ...live.metadata.labels, c: 'd' } } } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on jobs.batch "twice": the object has been modified; please apply your changes to the latest version and try again' });
  });

  it('422 Invalid names each field in details.causes', async () => {
    const bad = job('bad', { parallelism: -1, completions: 'x' });
    const r = await d.request('POST', JOBS, { body: bad });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.details.name).toBe('bad');
    expect(r.body.details.kind).toBe('Job');
    const fields = (r.body.details.causes as { field: string }[]).map((c) => c.field).sort();
    expect(fields).toEqual(['spec.completions', 'spec.parallelism']);
    expect(r.body.message).toMatch(/^Job\.batch "bad" is invalid: \[/);
  });

  it('dryRun=All answers as the write would and keeps nothing', async () => {
    const r = await d.request('POST', `${JOBS}?dryRun=All`, { body: job('dry') });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toBe('dry');
    expect((await d.request('GET', `${JOBS}/dry`)).status).toBe(404);
  });

  it('413 for a body past the limit', async () => {
    const r = await d.request('POST', JOBS, { body: job('huge', {}, { big: 'x'.repeat(4 * 1024 * 1024) }) });
    expect([r.status, r.body.reason]).toEqual([413, 'RequestEntityTooLarge']);
  });

  it('an unsupported patch type is 415', async () => {
    const r = await d.request('PATCH', `${JOBS}/twice`, { body: 'x: 1', headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(r.status).toBe(415);
  });
});

describe('limits', () => {
  it('pages a list with limit and continue', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) expect((await d.request('POST', JOBS, { body: job(n, {}, {}) })).status).toBe(201);
    const names: string[] = [];
    let token = '';
    for (let i = 0; i < 10; i++) {
      const r = await d.request('GET', `${JOBS}?labelSelector=&limit=2${token === '' ? '' : `&continue=${token}`}`);
      names.push(...(r.body.items as { metadata: { name: string } }[]).map((j) => j.metadata.name));
      token = r.body.metadata.continue ?? '';
      if (token === '') break;
    }
    const all = (await d.request('GET', JOBS)).body.items.map((j: { metadata: { name: string } }) => j.metadata.name);
    expect(names).toEqual(all);
    expect(all.length).toBeGreaterThan(2);
  });

  it('a watcher that stops reading is cut off instead of buffered for', async () => {
    // A raw connection that reads nothing, watching Jobs.
    const url = new URL(d.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.pause();
    socket.write(`GET ${JOBS}?watch=1&resourceVersion=0&timeoutSeconds=600 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${d.token}\r\n\r\n`);
    // Each change carries ~200 KiB of annotations: far more than the socket buffers and the bound together.
    const big = { blob: 'y'.repeat(200 * 1024) };
    const sent = 60;
    for (let i = 0; i < sent; i++) expect((await d.request('POST', JOBS, { body: job(`bulk-${i}`, {}, big) })).status).toBe(201);
    // Reading now finds the stream ended well before the last change and the timeout.
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (s: string) => (received += s));
    socket.resume();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(received).not.toContain('"name":"bulk-59"');
    expect(received.length).toBeLessThan(sent * 200 * 1024);
    // The daemon still answers others.
    expect((await d.request('GET', `${JOBS}?limit=1`)).status).toBe(200);
  });
});
