import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonContext } from '../ops/control.js';
import { handlers } from '../ops/index.js';
import { GitjobsError } from '../errors.js';
import { containerLogPath } from '../executor/logs/paths.js';
import type { Access, HttpRoute } from '../http/route.js';
import { sendJson } from '../http/status.js';
import { getJob, getJobByName, listJobs } from '../store/jobs.js';
import { listPodsOfRun } from '../store/pods.js';
import { listRuns, runExitCodes } from '../store/runs.js';
import { listSources } from '../store/sources.js';

// What the console needs beyond the Kubernetes API: where each Job came from
// (source, manifest, commit), the sources' state, the history of runs
// (including runs whose Job is gone) with their logs, and the two actions
// that are not Kubernetes verbs, sync and rerun. Under /gitjobs/v1/, behind
// the same tokens; the read-only token may not POST.

/** The most of a past run's log sent at once: its end, as `logs --tail` would favour. */
const LOG_LIMIT = 4 * 1024 * 1024;

type Handler = (ctx: DaemonContext, m: RegExpExecArray, req: IncomingMessage, res: ServerResponse, access: Access) => Promise<void> | void;

const ROUTES: { method: string; pattern: RegExp; handle: Handler }[] = [
  { method: 'GET', pattern: /^\/gitjobs\/v1\/whoami$/, handle: (_c, _m, _q, res, access) => sendJson(res, 200, { access }) },
  {
    method: 'GET',
    pattern: /^\/gitjobs\/v1\/sources$/,
    handle: (ctx, _m, _q, res) => sendJson(res, 200, { items: listSources(ctx.db) }),
  },
  {
    method: 'GET',
    pattern: /^\/gitjobs\/v1\/origins$/,
    // For the overview's source and revision columns: the Jobs of `?uids=a,b,…` (a page of them), or all.
    handle: (ctx, _m, req, res) => {
      const wanted = new URL(req.url ?? '/', 'http://x').searchParams.get('uids');
      const jobs = wanted === null ? listJobs(ctx.db) : wanted.split(',').flatMap((uid) => getJob(ctx.db, uid) ?? []);
      sendJson(res, 200, {
        items: jobs.map((j) => ({
          uid: j.uid,
          source: j.origin.source,
          ...(j.origin.path === undefined ? {} : { path: j.origin.path, line: j.origin.line }),
          ...(j.origin.revision === undefined ? {} : { revision: j.origin.revision }),
          ...(j.origin.commit === undefined ? {} : { sha: j.origin.commit.sha }),
        })),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/gitjobs\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)\/origin$/,
    handle: (ctx, m, _q, res) => {
      const job = getJobByName(ctx.db, dec(m[1]!), dec(m[2]!)) ?? notFound(m[2]!);
      sendJson(res, 200, { uid: job.uid, ...job.origin });
    },
  },
  {
    method: 'GET',
    pattern: /^\/gitjobs\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)\/history$/,
    handle: (ctx, m, _q, res) => {
      const runs = listRuns(ctx.db, dec(m[1]!), dec(m[2]!));
      sendJson(res, 200, {
        items: runs.map((r, i) => ({
          run: i + 1,
          ...r,
          exitCodes: runExitCodes(ctx.db, r.jobUid),
          pods: listPodsOfRun(ctx.db, r.jobUid).map((p) => ({
            name: p.name,
            uid: p.uid,
            phase: p.status.phase,
            containers: [...p.status.initContainerStatuses, ...p.status.containerStatuses].map((c) => ({ name: c.name, restarts: c.restartCount })),
          })),
        })),
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/gitjobs\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)\/runs\/(\d+)\/pods\/([^/]+)\/containers\/([^/]+)\/log$/,
    handle: (ctx, m, req, res) => {
      const namespace = dec(m[1]!);
      const runs = listRuns(ctx.db, namespace, dec(m[2]!));
      const run = runs[Number(m[3]) - 1] ?? notFound(`run ${m[3]}`);
      const pod = listPodsOfRun(ctx.db, run.jobUid).find((p) => p.name === dec(m[4]!)) ?? notFound(m[4]!);
      const container = dec(m[5]!);
      const status = [...pod.status.initContainerStatuses, ...pod.status.containerStatuses].find((c) => c.name === container) ?? notFound(container);
      const attempt = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('attempt') ?? status.restartCount);
      const text = readTail(containerLogPath(ctx.stateDir, pod.namespace, pod.name, pod.uid, container, attempt));
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': text.length, 'X-Content-Type-Options': 'nosniff' });
      res.end(text);
    },
  },
  {
    method: 'POST',
    pattern: /^\/gitjobs\/v1\/sync$/,
    handle: async (ctx, _m, _q, res) => sendJson(res, 200, await handlers.sync!({ op: 'sync' }, ctx)),
  },
  {
    method: 'POST',
    pattern: /^\/gitjobs\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)\/rerun$/,
    handle: async (ctx, m, _q, res) => sendJson(res, 200, await handlers.rerun!({ op: 'rerun', namespace: dec(m[1]!), name: dec(m[2]!) }, ctx)),
  },
];

export function gitjobsApiRoutes(ctx: DaemonContext): HttpRoute[] {
  return [
    {
      path: '/gitjobs/v1/',
      auth: 'token',
      handle: (req, res, access) => {
        const path = (req.url ?? '/').split('?', 1)[0]!;
        const matching = ROUTES.filter((r) => r.pattern.test(path));
        if (matching.length === 0) throw new GitjobsError('NotFound', 'the server could not find the requested resource');
        const method = req.method === 'HEAD' ? 'GET' : req.method;
        const route = matching.find((r) => r.method === method);
        if (route === undefined) throw new GitjobsError('MethodNotAllowed', `${req.method ?? ''} is not supported on ${path}`);
        return route.handle(ctx, route.pattern.exec(path)!, req, res, access);
      },
    },
  ];
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new GitjobsError('Usage', `malformed path segment "${s}"`);
  }
}

function notFound(what: string): never {
  throw new GitjobsError('NotFound', `${what} not found`);
}

/** A log file's last LOG_LIMIT bytes; empty when it was never written or is gone. */
function readTail(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, LOG_LIMIT);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf;
  } finally {
    closeSync(fd);
  }
}
