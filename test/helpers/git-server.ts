// A real Git smart-HTTP server for tests: git's own http-backend run as CGI
// behind node:http, so fetches exercise the same protocol a Git host speaks.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const BACKEND = '/usr/lib/git-core/git-http-backend';

export interface BasicAuth {
  username: string;
  password: string;
}

export interface GitServer {
  /** The clone URL of a repository under the project root, e.g. `url('jobs.git')`. */
  url(repo: string): string;
  /** When set, every request must carry these credentials or gets 401. */
  auth: BasicAuth | undefined;
  /** When true, every request gets 503, as from a host that is down. */
  down: boolean;
  /** Requests answered so far, including refused ones. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startGitServer(o: { root: string; auth?: BasicAuth }): Promise<GitServer> {
  let requests = 0;
  const state = { auth: o.auth, down: false };

  const server = createServer((req, res) => {
    requests++;
    if (state.down) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('service unavailable\n');
      return;
    }
    if (state.auth && !authorized(req, state.auth)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    runBackend(o.root, req, res, state.auth?.username);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: (repo) => `http://127.0.0.1:${port}/${repo}`,
    get auth() {
      return state.auth;
    },
    set auth(a) {
      state.auth = a;
    },
    get down() {
      return state.down;
    },
    set down(d) {
      state.down = d;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authorized(req: IncomingMessage, auth: BasicAuth): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Basic (.+)$/i.exec(header);
  if (!m?.[1]) return false;
  return Buffer.from(m[1], 'base64').toString('utf8') === `${auth.username}:${auth.password}`;
}

function runBackend(root: string, req: IncomingMessage, res: ServerResponse, user: string | undefined): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
    ...(user ? { REMOTE_USER: user } : {}),
  };
  const child = spawn(BACKEND, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {});

  // CGI output: header lines, a blank line, then the body.
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end === undefined) return;
    headersDone = true;
    const lines = head.subarray(0, end.at).toString('latin1').split(/\r?\n/);
    let status = 200;
    for (const line of lines) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    res.statusCode = status;
    const body = head.subarray(end.at + end.length);
    if (body.length > 0) res.write(body);
  });
  child.on('close', () => {
    if (!headersDone) res.statusCode = 502;
    res.end();
  });
  child.on('error', () => {
    res.statusCode = 502;
    res.end();
  });
}

function headerEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}
