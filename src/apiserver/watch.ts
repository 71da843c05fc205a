import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonContext } from '../ops/control.js';
import { coerceError, GitjobsError } from '../errors.js';
import { failureStatus } from '../http/status.js';
import { feedOf, type Change, type Feed } from './feed.js';
import { wireObjects, withVersion } from './list.js';
import type { AnyResource, Obj } from './registry.js';
import { flag, intParam } from './request.js';
import { selectionOf, selects } from './selection.js';
import { TABLE_CONTENT_TYPE, includeObjectOf, toTable, wantsTable } from './table.js';

// `?watch=1`: newline-delimited WatchEvents from the store's change feed. A
// watch holds no copy of the data: on each commit it reads the changes after
// the last one it sent, then the objects they name. A client that does not
// read is cut off once this much is waiting for it, never buffered for.

export const WATCH_BUFFER_LIMIT = 1024 * 1024;
const DEFAULT_TIMEOUT_S = 30 * 60;
const BATCH = 500;

export function serveWatch(ctx: DaemonContext, r: AnyResource, namespace: string | undefined, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  const feed = feedOf(ctx);
  if (r.feed === undefined) throw new GitjobsError('MethodNotAllowed', `watch is not served for ${r.resource}`);
  const selection = selectionOf(r, q);
  const table = wantsTable(req.headers.accept);
  const include = includeObjectOf(q);
  const timeoutS = intParam(q, 'timeoutSeconds') ?? DEFAULT_TIMEOUT_S;
  const given = q.get('resourceVersion') ?? '';
  const initial = given === '' || given === '0' || flag(q, 'sendInitialEvents');
  let last = initial ? feed.current() : Number(given);
  if (!Number.isInteger(last) || last < 0) throw new GitjobsError('Usage', `invalid resourceVersion "${given}"`);
  const bookmarks = flag(q, 'allowWatchBookmarks');
  // Objects sent as matching a selector, to tell a change that makes one leave it (DELETED to this watch).
  const matched = selection.labels !== undefined || selection.fields !== undefined ? new Set<string>() : undefined;

  res.writeHead(200, { 'Content-Type': table ? TABLE_CONTENT_TYPE : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let closed = false;
  const send = (type: string, object: Obj): boolean => {
    if (closed) return false;
    res.write(JSON.stringify({ type, object }) + '\n');
    if (res.writableLength > WATCH_BUFFER_LIMIT) {
      // The client stopped reading: it gets cut off and relists, as from a cluster.
      stop();
      res.destroy();
      return false;
    }
    return true;
  };
  const shape = (item: unknown, obj: Obj): Obj => {
    if (!table) return obj;
    const meta = { resourceVersion: String(last) };
    if (!isTombstone(item)) return toTable(r.columns(Date.now()), [item], [obj], include, meta);
    return toTable(r.columns(Date.now()), [item], [obj], include, meta, (h) => (h === 'NAME' ? item.tombstone.name : '<unknown>'));
  };
  const inScope = (c: Change): boolean => c.kind === r.feed && (namespace === undefined || !r.namespaced || c.namespace === namespace);

  if (initial) {
    const items = r.list(ctx, r.namespaced ? namespace : undefined).filter((i) => selects(r, selection, i));
    const objects = wireObjects(ctx, r, items);
    for (let i = 0; i < items.length; i++) {
      matched?.add(r.key(items[i]).uid);
      if (!send('ADDED', shape(items[i], objects[i]!))) return;
    }
    if (flag(q, 'sendInitialEvents')) send('BOOKMARK', bookmark(r, last, true));
  }

  const pump = (): void => {
    if (closed) return;
    try {
      for (;;) {
        const changes = feed.since(last, [r.feed!], BATCH);
        for (const c of changes) {
          last = c.rv;
          if (!inScope(c)) continue;
          const event = eventFor(ctx, r, c, selection, matched);
          if (event !== undefined && !send(event.type, shape(event.item, event.object))) return;
        }
        if (changes.length < BATCH) break;
      }
    } catch (err) {
      const e = coerceError(err);
      if (e.code === 'Internal') ctx.logger.error('watch failed', { resource: r.resource, error: e.message });
      const message = e.code === 'Gone' ? `too old resource version: ${given} (${feed.current()})` : e.message;
      send('ERROR', failureStatus(e.code, message));
      stop();
      res.end();
    }
  };
  const unsubscribe = feed.subscribe(pump);
  const timer = setTimeout(() => {
    stop();
    res.end();
  }, timeoutS * 1000);
  const beat = bookmarks ? setInterval(() => send('BOOKMARK', bookmark(r, last, false)), 60_000) : undefined;
  function stop(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearTimeout(timer);
    if (beat !== undefined) clearInterval(beat);
  }
  res.once('close', stop);
  pump();
}

function bookmark(r: AnyResource, rv: number, initialEnd: boolean): Obj {
  return {
    kind: r.kind,
    apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
    metadata: { resourceVersion: String(rv), ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
  };
}

interface WatchEvent {
  type: string;
  item: unknown;
  object: Obj;
}

function eventFor(ctx: DaemonContext, r: AnyResource, c: Change, selection: ReturnType<typeof selectionOf>, matched: Set<string> | undefined): WatchEvent | undefined {
  const live = c.type === 'DELETED' ? undefined : r.byUid?.(ctx, c.uid);
  const rv = String(c.rv);
  if (live === undefined) {
    // Deleted, or gone before this watch read it: its last state as the feed kept it, else its identity.
    if (c.type !== 'DELETED') return undefined;
    // A pod's row stays (marked gone) after its deletion; a Job's goes, its last state in the change.
    const kept = (c.deleted === undefined ? undefined : r.fromDeleted?.(c.deleted)) ?? r.byUid?.(ctx, c.uid);
    const uid = kept === undefined ? c.uid : r.key(kept).uid;
    if (matched !== undefined && !matched.delete(uid)) return undefined;
    if (kept === undefined) return { type: 'DELETED', item: tombstoneItem(r, c), object: tombstone(r, c) };
    return { type: 'DELETED', item: kept, object: withVersion(r.toObject(kept), rv) };
  }
  const object = withVersion(r.toObject(live), rv);
  if (matched === undefined) return { type: c.type, item: live, object };
  const uid = r.key(live).uid;
  const now = selects(r, selection, live);
  const before = matched.has(uid);
  if (now) matched.add(uid);
  else matched.delete(uid);
  if (now && !before) return { type: 'ADDED', item: live, object };
  if (!now && before) return { type: 'DELETED', item: live, object };
  if (now) return { type: 'MODIFIED', item: live, object };
  return undefined;
}

/** What is left of an object whose row is gone: its identity, which is what a watcher keys on. */
function tombstone(r: AnyResource, c: Change): Obj {
  return {
    apiVersion: r.group === '' ? r.version : `${r.group}/${r.version}`,
    kind: r.kind,
    metadata: { name: c.name, namespace: c.namespace, uid: c.uid, resourceVersion: String(c.rv) },
  };
}

function tombstoneItem(_r: AnyResource, c: Change): Tombstone {
  return { tombstone: c };
}

interface Tombstone {
  tombstone: Change;
}

function isTombstone(item: unknown): item is Tombstone {
  return typeof item === 'object' && item !== null && 'tombstone' in item;
}

export type { Feed };
