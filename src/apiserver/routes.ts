import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonContext } from '../ops/control.js';
import { GitjobsError } from '../errors.js';
import type { HttpRoute } from '../http/route.js';
import { aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { listItems, listObject, listTableRows, rowObjects, tableRowObjects, wireObjects } from './list.js';
import { openApiV2, openApiV3, openApiV3Index } from './openapi.js';
import { servePodLog } from './pod-log.js';
import { groupVersion, type AnyResource, type Obj, type WriteRequest } from './registry.js';
import { flag, parseApiPath, queryOf, type ResourcePath } from './request.js';
import { findResource } from './resources.js';
import { sendObject, sendText } from './respond.js';
import { methodNotAllowed, notFound, sendApiError } from './status-error.js';
import { includeObjectOf, TABLE_CONTENT_TYPE, toTable, wantsTable } from './table.js';
import { versionInfo } from './version.js';
import { listVersion } from './versions.js';
import { serveWatch } from './watch.js';

// The Kubernetes API's routes on the daemon's listener. Everything is read
// from the store per request; writes go through the CLI's operations.

export function apiRoutes(ctx: DaemonContext): HttpRoute[] {
  const route = (path: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): HttpRoute => ({
    path,
    auth: 'token',
    handle: async (req, res) => {
      try {
        await handle(req, res);
      } catch (err) {
        sendApiError(res, err);
      }
    },
  });
  const getOnly = (what: string, body: (req: IncomingMessage) => unknown, type?: (req: IncomingMessage) => string) =>
    route(what, (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, what);
      sendObject(res, 200, body(req), type?.(req));
    });
  const discovery = (core: boolean) => (req: IncomingMessage): unknown => {
    const v = wantsAggregated(req.headers.accept);
    if (v !== undefined) return aggregatedDiscovery(core, v);
    return core ? apiVersions(req.headers.host ?? '') : apiGroupList();
  };
  const discoveryType = (req: IncomingMessage): string => {
    const v = wantsAggregated(req.headers.accept);
    return v === undefined ? 'application/json' : AGGREGATED_CONTENT_TYPE.replace('v=v2', `v=${v}`);
  };
  return [
    getOnly('/version', () => versionInfo()),
    getOnly('/api', discovery(true), discoveryType),
    getOnly('/apis', discovery(false), discoveryType),
    getOnly('/openapi/v2', () => openApiV2()),
    getOnly('/openapi/v3', () => openApiV3Index()),
    route('/openapi/v3/', (req, res) => {
      const path = (req.url ?? '').split('?', 1)[0]!.slice('/openapi/v3/'.length);
      const parts = path.split('/');
      const doc = parts[0] === 'api' ? openApiV3('', parts[1] ?? '') : parts[0] === 'apis' ? openApiV3(parts[1] ?? '', parts[2] ?? '') : undefined;
      if (doc === undefined || (parts[0] === 'api' && parts.length !== 2) || (parts[0] === 'apis' && parts.length !== 3)) {
        throw new GitjobsError('NotFound', 'the server could not find the requested resource');
      }
      sendObject(res, 200, doc);
    }),
    route('/api/', (req, res) => serveResource(ctx, req, res)),
    route('/apis/', (req, res) => serveResource(ctx, req, res)),
  ];
}

async function serveResource(ctx: DaemonContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  const parsed = parseApiPath(path);
  if (parsed === undefined) throw new GitjobsError('NotFound', 'the server could not find the requested resource');
  if (parsed.kind === 'groupVersion') {
    const list = apiResourceList(parsed.group, parsed.version);
    if (list === undefined) throw new GitjobsError('NotFound', 'the server could not find the requested resource');
    if (req.method !== 'GET') throw methodNotAllowed(req.method, path);
    return sendObject(res, 200, list);
  }
  const r = findResource(parsed.group, parsed.version, parsed.resource);
  // A namespaced resource's object needs its namespace; a cluster one has none.
  if (r === undefined || (!r.namespaced && parsed.namespace !== undefined) || (r.namespaced && parsed.name !== undefined && parsed.namespace === undefined)) {
    throw new GitjobsError('NotFound', 'the server could not find the requested resource');
  }
  const about = { resource: r.resource, group: r.group, kind: r.kind, ...(parsed.name === undefined ? {} : { name: parsed.name }) };
  try {
    await serve(ctx, r, parsed, req, res);
  } catch (err) {
    sendApiError(res, err, about);
  }
}

async function serve(ctx: DaemonContext, r: AnyResource, p: ResourcePath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const q = queryOf(req);
  const method = req.method ?? 'GET';
  const url = (req.url ?? '').split('?', 1)[0]!;
  const namespace = p.namespace ?? 'default';
  const known = r.subresources.find((s) => s.name === p.subresource);
  if (p.subresource !== undefined && known === undefined) throw new GitjobsError('NotFound', 'the server could not find the requested resource');
  if (p.subresource !== undefined && !known!.verbs.includes(method === 'GET' ? 'get' : method.toLowerCase())) throw methodNotAllowed(method, url);

  if (p.name === undefined) {
    if (method === 'GET') {
      if (flag(q, 'watch')) {
        if (!r.verbs.includes('watch')) throw methodNotAllowed(method, url);
        return serveWatch(ctx, r, p.namespace, q, req, res);
      }
      return serveList(ctx, r, p.namespace, q, req, res);
    }
    if (method === 'POST' && r.writes.create !== undefined) return r.writes.create(writeRequest(ctx, p, q, req, res, namespace));
    throw methodNotAllowed(method, url);
  }

  if (method === 'GET') {
    const item = r.get(ctx, namespace, p.name);
    if (item === undefined) throw notFound(r, p.name);
    if (p.subresource === 'log') return servePodLog(ctx, item as Parameters<typeof servePodLog>[1], q, res);
    const [obj] = wireObjects(ctx, r, [item]);
    if (wantsTable(req.headers.accept)) {
      return sendObject(res, 200, toTable(r.columns(Date.now()), [item], [obj!], includeObjectOf(q), { resourceVersion: (obj!.metadata as { resourceVersion?: string }).resourceVersion ?? '' }), TABLE_CONTENT_TYPE);
    }
    return sendObject(res, 200, obj);
  }
  const w = writeRequest(ctx, p, q, req, res, namespace);
  if (p.subresource === undefined) {
    if (method === 'PUT' && r.writes.update !== undefined) return r.writes.update(w);
    if (method === 'PATCH' && r.writes.patch !== undefined) return r.writes.patch(w);
    if (method === 'DELETE' && r.writes.delete !== undefined) return r.writes.delete(w);
  }
  throw methodNotAllowed(method, url);
}

function writeRequest(ctx: DaemonContext, path: ResourcePath, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, namespace: string): WriteRequest {
  return { ctx, path, query, req, res, namespace };
}

function serveList(ctx: DaemonContext, r: AnyResource, namespace: string | undefined, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  const whole = ['labelSelector', 'fieldSelector', 'limit', 'continue'].every((k) => (q.get(k) ?? '') === '');
  if (whole && r.texts !== undefined && !wantsTable(req.headers.accept)) {
    const rv = listVersion(ctx);
    const texts = r.texts(ctx, r.namespaced ? namespace : undefined);
    const head = JSON.stringify({ kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: rv } });
    return sendText(res, 200, `${head.slice(0, -1)},"items":[${texts.join(',')}]}`);
  }
  if (wantsTable(req.headers.accept)) return sendObject(res, 200, listTable(ctx, r, namespace, q), TABLE_CONTENT_TYPE);
  const result = listItems(ctx, r, namespace, q);
  sendObject(res, 200, listObject(r, wireObjects(ctx, r, result.items), result));
}

/** A list as a Table: from the resource's Table rows where they can answer, from whole items where not. */
export function listTable(ctx: DaemonContext, r: AnyResource, namespace: string | undefined, q: URLSearchParams): Obj {
  const include = includeObjectOf(q);
  const now = Date.now();
  const rows = include === 'Object' ? undefined : r.tableRows;
  const light = rows === undefined ? undefined : listTableRows(ctx, r, rows, namespace, q);
  const result = light ?? listItems(ctx, r, namespace, q);
  const meta = { resourceVersion: result.resourceVersion, ...(result.continue === undefined ? {} : { continue: result.continue }) };
  if (light !== undefined) {
    const objects = include === 'None' ? [] : tableRowObjects(ctx, r, rows!, light.items);
    return toTable(rows!.columns(now), light.items, objects, include, meta);
  }
  const objects = include === 'None' ? [] : rowObjects(ctx, r, result.items, include === 'Object');
  return toTable(r.columns(now), result.items, objects, include, meta);
}
