import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type CliResult, type DaemonHandle } from './e2e.js';

export const KUBECTL = '/usr/bin/kubectl';
export const PYTHON = '/usr/bin/python3';

export interface ApiDaemon extends DaemonHandle {
  /** The listener's plain address (http:// unless the daemon serves TLS only). */
  url: string;
  httpsUrl: string;
  /** The serving certificate (PEM), the CA a client trusts for httpsUrl. */
  certificate: string;
  token: string;
  readToken: string;
  /** A kubeconfig written by `gitjobs kubeconfig`. */
  kubeconfig: string;
  kubectl: (args: string[], opts?: { input?: string }) => CliResult;
  kubectlAsync: (args: string[]) => { done: Promise<CliResult>; output: () => string; kill: () => void };
  /** A request to the API (url, or httpsUrl with https) with the write token (or none/another). */
  request: (method: string, path: string, opts?: { body?: unknown; token?: string | null; headers?: Record<string, string>; https?: boolean }) => Promise<{ status: number; body: any; text: string; headers: Headers }>;
}

/**
 * A daemon started as `npm start` starts it (no TLS flags): its loopback
 * listener serves plain HTTP and, with a certificate it makes, HTTPS for
 * kubectl. `userCertificate` starts it with --tls-cert/--tls-key made by
 * openssl instead, which serves TLS only.
 */
export async function startApiDaemon(opts: { files?: Record<string, string>; userCertificate?: boolean } = {}): Promise<ApiDaemon> {
  const base = await import('./e2e.js');
  const dir = base.tempDir('gitjobs-api-');
  const extra: string[] = ['--listen', '127.0.0.1:0'];
  if (opts.userCertificate === true) {
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'),
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
    extra.push('--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'));
  }
  const d = await startDaemon({ dir, extraArgs: extra, ...(opts.files === undefined ? {} : { files: opts.files }) });
  const listener = JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string; httpsUrl: string; certificate: string };
  const token = readFileSync(join(d.stateDir, 'api-token'), 'utf8').trim();
  const readToken = readFileSync(join(d.stateDir, 'api-token-readonly'), 'utf8').trim();
  const kc = d.cli(['kubeconfig']);
  if (kc.code !== 0) throw new Error(kc.stderr);
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kc.stdout);
  // kubectl caches discovery under HOME; each daemon gets its own.
  const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
  const kubectl = (args: string[], o: { input?: string } = {}): CliResult => {
    const r = spawnSync(KUBECTL, args, { cwd: dir, env, encoding: 'utf8', timeout: 30_000, ...(o.input === undefined ? {} : { input: o.input }) });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const kubectlAsync = (args: string[]) => {
    const child = spawn(KUBECTL, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const done = new Promise<CliResult>((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })));
    return { done, output: () => stdout, kill: () => child.kill('SIGTERM') };
  };
  const request: ApiDaemon['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const t = o.token === undefined ? token : o.token;
    if (t !== null) headers.authorization = `Bearer ${t}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await httpsRequest((o.https === true ? listener.httpsUrl : listener.url) + path, method, headers, body, listener.certificate);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text: res.text, headers: res.headers };
  };
  return { ...d, url: listener.url, httpsUrl: listener.httpsUrl, certificate: listener.certificate, token, readToken, kubeconfig, kubectl, kubectlAsync, request };
}

async function httpsRequest(url: string, method: string, headers: Record<string, string>, body: string | undefined, ca: string): Promise<{ status: number; text: string; headers: Headers }> {
  const { request } = await import(url.startsWith('https') ? 'node:https' : 'node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ...(url.startsWith('https') ? { ca } : {}) }, (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, text, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
