import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, jobYaml, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';

// /gitjobs/v1/ and the console's files on a real daemon's listener.

const JOB = jobYaml('hello', `  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: [sh, -c, "echo hello from the pod"]}]\n`);

describe('/gitjobs/v1 and the console files', () => {
  let d: DaemonHandle;
  let url: string;
  let write: string;
  let read: string;
  const get = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }), ...(init.headers ?? {}) } });

  beforeAll(async () => {
    d = await startDaemon({ files: { 'hello.yaml': JOB } });
    url = (JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string }).url;
    write = readFileSync(join(d.stateDir, 'api-token'), 'utf8').trim();
    read = readFileSync(join(d.stateDir, 'api-token-readonly'), 'utf8').trim();
    await waitFor('hello complete', () => condition(d.job('hello'), 'Complete'), 30_000);
  });
  afterAll(() => d?.cleanup());

  it('tells the page what its token may do', async () => {
    expect(await (await get('/gitjobs/v1/whoami', write)).json()).toEqual({ access: 'write' });
    expect(await (await get('/gitjobs/v1/whoami', read)).json()).toEqual({ access: 'read' });
    expect((await get('/gitjobs/v1/whoami')).status).toBe(401);
  });

  it("gives the sources, each Job's origin and a Job's history with its pods", async () => {
    const sources = (await (await get('/gitjobs/v1/sources', read)).json()) as { items: { url: string; kind: string; ready: boolean; revision: string }[] };
    expect(sources.items).toEqual([expect.objectContaining({ url: d.jobsDir, kind: 'dir', ready: true })]);
    const job = d.job('hello')!;
    const origins = (await (await get('/gitjobs/v1/origins', read)).json()) as { items: unknown[] };
    expect(origins.items).toEqual([{ uid: job.metadata.uid, source: d.jobsDir, path: 'hello.yaml', line: 1, revision: sources.items[0]!.revision }]);
    const history = (await (await get('/gitjobs/v1/namespaces/default/jobs/hello/history', read)).json()) as {
      items: { run: number; jobUid: string; result: string; exitCodes: number[]; pods: { name: string; containers: { name: string }[] }[] }[];
    };
    expect(history.items).toMatchObject([{ run: 1, jobUid: job.metadata.uid, result: 'Complete', exitCodes: [0] }]);
    const pod = history.items[0]!.pods[0]!;
    const log = await get(`/gitjobs/v1/namespaces/default/jobs/hello/runs/1/pods/${pod.name}/containers/c/log`, read);
    expect(log.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await log.text()).toBe('hello from the pod\n');
    expect((await get('/gitjobs/v1/namespaces/default/jobs/hello/runs/2/pods/x/containers/c/log', read)).status).toBe(404);
  });

  it('reruns and syncs with the write token, and refuses both to the read-only one', async () => {
    expect((await get('/gitjobs/v1/sync', read, { method: 'POST' })).status).toBe(403);
    expect((await get('/gitjobs/v1/namespaces/default/jobs/hello/rerun', read, { method: 'POST' })).status).toBe(403);
    const sync = await get('/gitjobs/v1/sync', write, { method: 'POST' });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({ source: d.jobsDir });
    const before = d.job('hello')!.metadata.uid;
    const rerun = await get('/gitjobs/v1/namespaces/default/jobs/hello/rerun', write, { method: 'POST' });
    expect(rerun.status).toBe(200);
    expect(await rerun.json()).toMatchObject({ name: 'hello', previousUid: before });
    await waitFor('the rerun as the second run', () => {
      const r = d.cli(['history', 'job', 'hello', '-o', 'json']);
      return r.code === 0 && (JSON.parse(r.stdout) as unknown[]).length === 2;
    });
    const missing = await get('/gitjobs/v1/namespaces/default/jobs/nope/rerun', write, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
  });

  it('serves the page and its scripts without a token, under a policy that runs only its own scripts', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/console/app.js">');
    expect(html).not.toMatch(/https?:\/\//);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' 'sha256-");
    expect(csp).toContain("default-src 'none'");
    for (const path of ['/console/app.js', '/console/yaml.js', '/console/vendor/preact.js', '/console/vendor/hooks.js', '/console/vendor/htm.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toBe('text/javascript; charset=utf-8');
    }
    // The inline import map is the one script the hash in the policy allows.
    const map = /<script type="importmap">(.*?)<\/script>/.exec(html)![1]!;
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    // Paths nothing serves answer as before the console: 401 without a token, 404 with one.
    expect((await get('/no/such/thing')).status).toBe(401);
    expect((await get('/no/such/thing', read)).status).toBe(404);
    expect((await get('/console/nothing.js', read)).status).toBe(404);
  });
});
