import { writeFileSync, renameSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { GitjobsError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { parseListenAddress } from './listen-address.js';
import { ensureServingCertificate } from './self-signed.js';
import { isSafeMethod, matchRoute, type HttpRoute } from './route.js';
import { sendError, sendFailure } from './status.js';
import { accessOf, type ApiTokens } from './tokens.js';

// The daemon's one HTTP listener. It authenticates, bounds what a client may
// hold (headers, body time, connections) and dispatches to routes; nothing
// here blocks the daemon's loop on a client.

/** Where the CLI finds the listener (`gitjobs kubeconfig`): written once it listens. */
export const LISTENER_FILE = 'api-listener.json';

export interface ListenerRecord {
  /**
   * What a plain client reaches: http:// on a loopback listener without
   * --tls-cert (it serves both), https:// where only TLS is served.
   */
  url: string;
  /** The https:// address, where TLS is served (kubectl sends its token only there). */
  httpsUrl?: string;
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
  /** The state folder, where the listener's address (and a loopback listener's own certificate) is kept. */
  stateDir: string;
  /** How long a client may take to send its request headers (and, on TLS, its handshake). */
  headersTimeoutMs?: number;
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
  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  const handler = (req: IncomingMessage, res: ServerResponse): void => dispatch(req, res, o);
  // Given files are TLS only; a loopback listener without them serves both,
  // with a certificate of its own, so kubectl works without anyone making one.
  const tls = o.tls === undefined ? ensureServingCertificate(o.stateDir) : { cert: readFileSync(o.tls.certFile, 'utf8'), key: readFileSync(o.tls.keyFile, 'utf8') };
  const https = createHttpsServer({ cert: tls.cert, key: tls.key, connectionsCheckingInterval: 2_000, handshakeTimeout: headersTimeout }, handler);
  bound(https, headersTimeout);
  const plain = o.tls === undefined ? bound(createHttpServer({ connectionsCheckingInterval: 2_000 }, handler), headersTimeout) : undefined;
  const server: Server | NetServer = plain === undefined ? https : firstByteSwitch(plain, https, headersTimeout);
  server.maxConnections = 1024;
  if (plain !== undefined) {
    // Node starts a server's headers and request timeouts when it listens;
    // these two never do (sockets are handed to them), so they are told.
    plain.emit('listening');
    https.emit('listening');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    // The default port is one per machine: a second daemon (another state folder) needs its own.
    const hint = err.code === 'EADDRINUSE' ? ' (another daemon? give this one --listen 127.0.0.1:PORT, or --listen none)' : '';
    throw new GitjobsError('Usage', `cannot listen on ${o.listen}: ${err.code ?? err.message}${hint}`, { cause: err });
  });
  const address = server.address() as AddressInfo;
  const hostPort = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const httpsUrl = `https://${hostPort}`;
  const url = plain === undefined ? httpsUrl : `http://${hostPort}`;
  recordListener(o.stateDir, { url, httpsUrl, certificate: tls.cert });
  o.logger.info('API listening', { url, ...(plain === undefined ? {} : { httpsUrl }) });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Watches and followed logs never end by themselves.
        https.closeAllConnections();
        if (plain !== undefined) {
          // Stops their timeout checks; they were never listening themselves.
          plain.close(() => undefined);
          https.close(() => undefined);
          plain.closeAllConnections();
        }
        server.emit('closeAll');
      }),
  };
}

/** The same limits on either protocol: a client that sends its request slowly, or nothing, is cut off. */
function bound<S extends Server>(server: S, headersTimeout: number): S {
  server.headersTimeout = headersTimeout;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // What Node answers by default, without its extra cases: a request that
    // does not parse gets a 400 instead of a silently closed connection.
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });
  return server;
}

/**
 * One port for both protocols: a TLS connection starts with a handshake
 * record (0x16), an HTTP request with a method's letter. The first byte is
 * put back and the socket handed to the server for its protocol.
 */
function firstByteSwitch(plain: Server, https: HttpsServer, headersTimeout: number): NetServer {
  const waiting = new Set<Socket>();
  const server = createNetServer({ pauseOnConnect: true }, (socket) => {
    waiting.add(socket);
    // Nothing reads a socket until its first byte: this is its headers timeout.
    const timer = setTimeout(() => socket.destroy(), headersTimeout);
    const done = (): void => {
      clearTimeout(timer);
      waiting.delete(socket);
    };
    socket.once('close', done);
    socket.once('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      done();
      socket.off('close', done);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === 0x16) {
        // The TLS socket reads what was put back itself; resuming here would hand it to nobody.
        https.emit('connection', socket);
      } else {
        plain.emit('connection', socket);
        socket.resume();
      }
    });
    socket.resume();
  });
  server.on('closeAll', () => {
    for (const s of waiting) s.destroy();
  });
  return server;
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
