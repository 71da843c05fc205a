import { connect } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../../src/http/body.js';
import { startHttpListener, type HttpListener } from '../../src/http/server.js';
import { ensureTokens } from '../../src/http/tokens.js';
import { silentLogger } from '../../src/util/logger.js';
import { cli, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';

describe('HTTP listener', () => {
  let listener: HttpListener;
  let state: string;
  let tokens: { write: string; read: string };
  beforeAll(async () => {
    state = tempDir();
    tokens = ensureTokens(state);
    listener = await startHttpListener({
      listen: '127.0.0.1:0',
      tokens,
      logger: silentLogger,
      stateDir: state,
      routes: [
        {
          path: '/echo',
          auth: 'token',
          handle: async (req, res) => {
            const body = await readBody(req, 1024);
            res.end(`${req.method} ${body.length}`);
          },
        },
        { path: '/open/', auth: 'none', handle: (req, res) => void res.end(`open ${req.url}`) },
      ],
    });
  });
  afterAll(() => listener.close());

  const call = (path: string, init: RequestInit = {}, token?: string): Promise<Response> =>
    fetch(listener.url + path, { ...init, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });

  it('makes tokens once, 0600, and keeps them across starts', () => {
    expect(statSync(join(state, 'api-token')).mode & 0o777).toBe(0o600);
    expect(ensureTokens(state)).toEqual(tokens);
    expect(tokens.write).not.toBe(tokens.read);
  });

  it('answers 401 with a Kubernetes Status without a valid token', async () => {
    for (const token of [undefined, 'wrong-token-of-some-length']) {
      const r = await call('/echo', {}, token);
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
  });

  it('lets a read-only token read but not write (403)', async () => {
    expect(await (await call('/echo', {}, tokens.read)).text()).toBe('GET 0');
    const r = await call('/echo', { method: 'POST', body: 'x' }, tokens.read);
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect(await (await call('/echo', { method: 'POST', body: 'xyz' }, tokens.write)).text()).toBe('POST 3');
  });

  it('refuses a body over the route limit with 413', async () => {
    const r = await call('/echo', { method: 'POST', body: 'x'.repeat(4096) }, tokens.write);
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('serves routes that authenticate themselves without a token, and 404 elsewhere', async () => {
    expect(await (await call('/open/x?y=1')).text()).toBe('open /open/x?y=1');
    const r = await call('/nothing', {}, tokens.read);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ reason: 'NotFound' });
  });

  it('keeps serving while a client holds a connection open sending nothing', async () => {
    const socket = connect(Number(new URL(listener.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /echo HTTP/1.1\r\nHost: x\r\n'); // never finishes its headers
    expect(await (await call('/echo', {}, tokens.read)).text()).toBe('GET 0');
    socket.destroy();
  });

  it('refuses to listen beyond loopback without TLS', async () => {
    await expect(
      startHttpListener({ listen: '0.0.0.0:0', tokens, logger: silentLogger, stateDir: state, routes: [] }),
    ).rejects.toMatchObject({ code: 'Usage' });
  });
});

describe('daemon listener', () => {
  let d: DaemonHandle;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(() => d.cleanup());

  it('records its address in the state folder and answers health checks', async () => {
    const record = await waitFor('listener record', () => JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string });
    expect(record.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(record.url + '/healthz')).text()).toBe('ok');
  });

  it('refuses --listen beyond loopback without TLS as a usage error', () => {
    const r = cli(['daemon', '--jobs', d.jobsDir, '--state', tempDir(), '--listen', '0.0.0.0:6443']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tls-cert/);
  });
});
