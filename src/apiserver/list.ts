import type { DaemonContext } from '../daemon/control.js';
import { GitjobsError } from '../errors.js';
import type { AnyResource, Obj } from './registry.js';
import { intParam } from './request.js';
import { selectionOf, selects } from './selection.js';
import { listVersion, objectVersions } from './versions.js';

// A list: selected, ordered, cut into pages by limit/continue. The continue
// token names the last item given, so a page after a change still goes on
// from there, as the API server's does from its key.

export interface ListResult {
  items: unknown[];
  resourceVersion: string;
  continue: string | undefined;
  remaining: number | undefined;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function listItems(ctx: DaemonContext, r: AnyResource, namespace: string | undefined, q: URLSearchParams): ListResult {
  const selection = selectionOf(r, q);
  const resourceVersion = listVersion(ctx);
  let items = r.list(ctx, r.namespaced ? namespace : undefined).filter((i) => selects(r, selection, i));
  const sortKey = (i: unknown): string => {
    const k = r.key(i);
    return `${k.namespace}/${k.name}`;
  };
  const limit = intParam(q, 'limit');
  const token = q.get('continue');
  if (r.order !== undefined && limit === undefined && (token === null || token === '')) items = r.order(items);
  else {
    const keyed = items.map((i) => ({ i, k: sortKey(i) }));
    keyed.sort((a, b) => compareKeys(a.k, b.k));
    items = keyed.map((x) => x.i);
  }
  if (token !== null && token !== '') {
    const after = decodeContinue(token);
    items = items.filter((i) => sortKey(i) > after);
  }
  if (limit === undefined || limit === 0 || items.length <= limit) return { items, resourceVersion, continue: undefined, remaining: undefined };
  const page = items.slice(0, limit);
  return { items: page, resourceVersion, continue: encodeContinue(sortKey(page[page.length - 1])), remaining: items.length - limit };
}

function encodeContinue(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after })).toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    if (t.v === 1 && typeof t.after === 'string') return t.after;
  } catch {
    // falls through to the refusal
  }
  throw new GitjobsError('Usage', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The wire objects of items, each with its resourceVersion. */
export function wireObjects(ctx: DaemonContext, r: AnyResource, items: unknown[]): Obj[] {
  const versions = objectVersions(ctx, r.feed, items.map((i) => r.key(i).uid));
  return items.map((i) => withVersion(r.toObject(i), versions.get(r.key(i).uid)));
}

/** Items as a Table's rows carry them: metadata only, unless the whole object was asked for. */
export function rowObjects(ctx: DaemonContext, r: AnyResource, items: unknown[], whole: boolean): Obj[] {
  if (whole || r.metadata === undefined) return wireObjects(ctx, r, items);
  const versions = objectVersions(ctx, r.feed, items.map((i) => r.key(i).uid));
  return items.map((i) => ({ metadata: { ...r.metadata!(i), resourceVersion: versions.get(r.key(i).uid) } }));
}

export function withVersion(o: Obj, rv: string | undefined): Obj {
  if (rv === undefined) return o;
  return { ...o, metadata: { ...(o.metadata as Obj), resourceVersion: rv } };
}

export function listObject(r: AnyResource, items: Obj[], result: ListResult): Obj {
  return {
    kind: `${r.kind}List`,
    apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
    metadata: {
      resourceVersion: result.resourceVersion,
      ...(result.continue === undefined ? {} : { continue: result.continue }),
      ...(result.remaining === undefined ? {} : { remainingItemCount: result.remaining }),
    },
    items,
  };
}
