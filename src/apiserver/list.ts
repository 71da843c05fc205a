import type { DaemonContext } from '../ops/control.js';
import { GitjobsError } from '../errors.js';
import type { AnyResource, ItemKey, ListPosition, Obj, TableRows } from './registry.js';
import { intParam } from './request.js';
import { selectionOf, selects, type Selection } from './selection.js';
import { listVersion, objectVersions } from './versions.js';

// A list: selected, ordered, cut into pages by limit/continue. The continue
// token names the last item given, so a page after a change still goes on
// from there, as the API server's does from its key. kubectl lists in pages
// of 500: a resource that can read one page alone does, when no selector
// needs every object looked at.

export interface ListResult {
  items: unknown[];
  resourceVersion: string;
  continue: string | undefined;
  remaining: number | undefined;
}

function compare(a: ListPosition, b: ListPosition): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function listItems(ctx: DaemonContext, r: AnyResource, namespace: string | undefined, q: URLSearchParams): ListResult {
  const selection = selectionOf(r, q);
  return listFrom(ctx, r, { list: r.list, page: r.page, key: r.key, order: r.order }, namespace, q, selection, (i) => selects(r, selection, i));
}

/**
 * A Table's rows straight from `rows`, selected and paged as listItems does;
 * undefined where its rows cannot answer (a field selector: the resource's
 * fields are over whole items).
 */
export function listTableRows(ctx: DaemonContext, r: AnyResource, rows: TableRows<unknown>, namespace: string | undefined, q: URLSearchParams): ListResult | undefined {
  const selection = selectionOf(r, q);
  if (selection.fields !== undefined) return undefined;
  const labels = selection.labels;
  return listFrom(ctx, r, rows, namespace, q, selection, (i) => labels === undefined || labels.matches(rows.key(i).labels));
}

interface Source {
  list(ctx: DaemonContext, namespace: string | undefined): unknown[];
  page?(ctx: DaemonContext, namespace: string | undefined, after: ListPosition | undefined, limit: number): unknown[];
  key(item: unknown): ItemKey;
  order?(items: unknown[]): unknown[];
}

function listFrom(ctx: DaemonContext, r: AnyResource, src: Source, namespace: string | undefined, q: URLSearchParams, selection: Selection, selected: (i: unknown) => boolean): ListResult {
  const resourceVersion = listVersion(ctx);
  const scope = r.namespaced ? namespace : undefined;
  const limit = intParam(q, 'limit');
  const token = q.get('continue');
  const after = token === null || token === '' ? undefined : decodeContinue(token);
  const position = (i: unknown): ListPosition => {
    const k = src.key(i);
    return { namespace: k.namespace, name: k.name };
  };
  if (limit !== undefined && limit > 0 && src.page !== undefined && selection.labels === undefined && selection.fields === undefined) {
    const page = src.page(ctx, scope, after, limit + 1);
    if (page.length <= limit) return { items: page, resourceVersion, continue: undefined, remaining: undefined };
    const items = page.slice(0, limit);
    return { items, resourceVersion, continue: encodeContinue(position(items[limit - 1])), remaining: undefined };
  }
  let items = src.list(ctx, scope).filter(selected);
  if (src.order !== undefined && limit === undefined && after === undefined) items = src.order(items);
  else items = items.map((i) => ({ i, k: position(i) })).sort((a, b) => compare(a.k, b.k)).map((x) => x.i);
  if (after !== undefined) items = items.filter((i) => compare(position(i), after) > 0);
  if (limit === undefined || limit === 0 || items.length <= limit) return { items, resourceVersion, continue: undefined, remaining: undefined };
  const page = items.slice(0, limit);
  return { items: page, resourceVersion, continue: encodeContinue(position(page[page.length - 1])), remaining: items.length - limit };
}

function encodeContinue(after: ListPosition): string {
  return Buffer.from(JSON.stringify({ v: 2, ns: after.namespace, name: after.name })).toString('base64url');
}

function decodeContinue(token: string): ListPosition {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; ns?: unknown; name?: unknown };
    if (t.v === 2 && typeof t.ns === 'string' && typeof t.name === 'string') return { namespace: t.ns, name: t.name };
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

/** A Table's rows' metadata, each with its resourceVersion. */
export function tableRowObjects(ctx: DaemonContext, r: AnyResource, rows: TableRows<unknown>, items: unknown[]): Obj[] {
  const versions = objectVersions(ctx, r.feed, items.map((i) => rows.key(i).uid));
  return items.map((i) => ({ metadata: { ...rows.metadata(i), resourceVersion: versions.get(rows.key(i).uid) } }));
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
