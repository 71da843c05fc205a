import { writeFileSync, renameSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GitjobsError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { parseListenAddress } from './listen-address.js';
import { isSafeMethod, matchRoute, type HttpRoute } from './route.js';
import { sendError, sendFailure } from './status.js';
import { accessOf, type ApiTokens } from './tokens.js';

// The daemon's one HTTP listener. It authenticates, bounds what a client may
// hold (headers, body time, connections) and dispatches to routes; nothing
// here blocks the daemon's loop on a client.

/** Where the CLI finds the listener (`gitjobs kubeconfig`): written once it listens. */
export const LISTENER_FILE = 'api-listener.json';

export interface ListenerRecord {
  url: string;
  /** PEM of the serving certificate, for a kubeconfig's certificate-authority-data. */
  certificate?: string;
}

export interface HttpListenerOptions {
  /** `HOST:PORT`; anything but loopback needs TLS. */
  listen: string;
  tls?: { certFile: string; keyFile: string };
  tokens: ApiTokens;
  routes: readonly HttpRoute[];
  logger: Logger;
  /** The state folder, where the listener's address is recorded. */
  stateDir: string;
}

export interface HttpListener {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpListener(o: HttpListenerOptions): Promise<HttpListener> {
  const addr = parseListenAddress(o.listen);
  if (!addr.loopback && o.tls === undefined) {
    throw new GitjobsError('Usage', `--listen ${o.listen} is not a loopback address: it needs --tls-cert and --tls-key`);
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => dispatch(req, res, o);
  let certificate: string | undefined;
  let server: Server;
  if (o.tls === undefined) {
    server = createHttpServer({ connectionsCheckingInterval: 2_000 }, handler);
  } else {
    certificate = readFileSync(o.tls.certFile, 'utf8');
    server = createHttpsServer({ cert: certificate, key: readFileSync(o.tls.keyFile), connectionsCheckingInterval: 2_000 }, handler);
  }
  // A client that opens a connection and sends nothing, or sends its request
  // a byte at a time, is cut off instead of holding a socket for ever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 1024;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new GitjobsError('Usage', `cannot listen on ${o.listen}: ${err.code ?? err.message}`, { cause: err });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const url = `${o.tls === undefined ? 'http' : 'https'}://${host}:${bound.port}`;
  recordListener(o.stateDir, { url, ...(certificate === undefined ? {} : { certificate }) });
  o.logger.info('API listening', { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Watches and followed logs never end by themselves.
        server.closeAllConnections();
      }),
  };
}

function dispatch(req: IncomingMessage, res: ServerResponse, o: HttpListenerOptions): void {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const route = matchRoute(o.routes, path);
  const access = accessOf(req.headers.authorization, o.tokens);
  if (route === undefined) {
    if (access === 'none') return sendFailure(res, 'Unauthorized', 'Unauthorized');
    return sendFailure(res, 'NotFound', 'the server could not find the requested resource');
  }
  if (route.auth === 'token') {
    if (access === 'none') return sendFailure(res, 'Unauthorized', 'Unauthorized');
    if (access === 'read' && !isSafeMethod(req.method)) {
      return sendFailure(res, 'Forbidden', `this token may only read: ${req.method ?? ''} ${path} is forbidden`);
    }
  }
  let done: Promise<void> | void;
  try {
    done = route.handle(req, res, access);
  } catch (err) {
    return failed(err, res, o.logger, path);
  }
  if (done !== undefined) done.catch((err: unknown) => failed(err, res, o.logger, path));
}

function failed(err: unknown, res: ServerResponse, logger: Logger, path: string): void {
  const e = sendError(res, err);
  if (e.code === 'Internal') logger.error('HTTP request failed', { path, error: e.message });
}

function recordListener(stateDir: string, record: ListenerRecord): void {
  const file = join(stateDir, LISTENER_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(record) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The running daemon's listener, as recorded in its state folder. */
export function readListener(stateDir: string): ListenerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, LISTENER_FILE), 'utf8')) as ListenerRecord;
  } catch {
    return undefined;
  }
}
