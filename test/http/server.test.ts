import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../../src/http/body.js';
import { readListener, startHttpListener, type HttpListener } from '../../src/http/server.js';
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
      headersTimeoutMs: 500,
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

  const https = (path: string, token: string | undefined, ca: string, host = '127.0.0.1'): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(listener.url);
      const req = httpsRequest(
        { host, port: url.port, path, ca, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('serves HTTPS on the same port with a certificate of its own, recorded for clients', async () => {
    const record = readListener(state)!;
    expect(record.url).toBe(listener.url);
    expect(record.httpsUrl).toBe(listener.url.replace('http:', 'https:'));
    expect(record.certificate).toBe(readFileSync(join(state, 'api-tls.crt'), 'utf8'));
    expect(await https('/echo', tokens.read, record.certificate!)).toEqual({ status: 200, text: 'GET 0' });
    expect(await https('/echo', tokens.read, record.certificate!, 'localhost')).toEqual({ status: 200, text: 'GET 0' });
    expect((await https('/echo', undefined, record.certificate!)).status).toBe(401);
    // Plain HTTP still answers on the same port.
    expect(await (await call('/echo', {}, tokens.read)).text()).toBe('GET 0');
  });

  it('closes a connection that sends nothing, or half its request, on either protocol, after the headers timeout', async () => {
    const closedAfter = async (first: string | undefined): Promise<number> => {
      const socket = connect(Number(new URL(listener.url).port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const started = Date.now();
      if (first !== undefined) socket.write(first);
      socket.resume();
      await new Promise((r) => socket.once('close', r));
      return Date.now() - started;
    };
    const silent = await closedAfter(undefined);
    expect(silent).toBeGreaterThanOrEqual(450);
    expect(silent).toBeLessThan(5_000);
    // A TLS record header and no more: the handshake times out.
    expect(await closedAfter('\x16\x03\x01')).toBeLessThan(5_000);
    // Half a request over plain http: the http server's own headers timeout.
    expect(await closedAfter('GET /echo HTTP/1.1\r\nHost: x\r\n')).toBeLessThan(5_000);
    // And over TLS, once the handshake is done.
    const tlsSocket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(listener.url).port), ca: readListener(state)!.certificate! });
    await new Promise((r) => tlsSocket.once('secureConnect', r));
    const started = Date.now();
    tlsSocket.write('GET /echo HTTP/1.1\r\nHost: x\r\n');
    tlsSocket.resume();
    await new Promise((r) => tlsSocket.once('close', r));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 400 to a first byte that is neither TLS nor HTTP, and keeps serving', async () => {
    const socket = connect(Number(new URL(listener.url).port), '127.0.0.1');
    let got = '';
    socket.setEncoding('utf8').on('data', (c: string) => (got += c));
    socket.write('\x00\x01garbage\r\n\r\n');
    await new Promise((r) => socket.once('close', r));
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await (await call('/echo', {}, tokens.read)).text()).toBe('GET 0');
  });

  it('a port already taken is a usage error that says how to pick another', async () => {
    const port = new URL(listener.url).port;
    await expect(
      startHttpListener({ listen: `127.0.0.1:${port}`, tokens, logger: silentLogger, stateDir: state, routes: [] }),
    ).rejects.toMatchObject({ code: 'Usage', message: expect.stringMatching(/EADDRINUSE.*--listen 127\.0\.0\.1:PORT, or --listen none/) });
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
    const record = await waitFor('listener record', () => JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string; httpsUrl: string });
    expect(record.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(record.httpsUrl).toBe(record.url.replace('http:', 'https:'));
    expect(await (await fetch(record.url + '/healthz')).text()).toBe('ok');
  });

  it('refuses --listen beyond loopback without TLS as a usage error', () => {
    const r = cli(['daemon', '--jobs', d.jobsDir, '--state', tempDir(), '--listen', '0.0.0.0:6443']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tls-cert/);
  });
});
