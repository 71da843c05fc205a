import { GitjobsError } from '../errors.js';
import { canonicalJson } from '../manifest/messages.js';

// The three patch formats of the API, applied to a wire object. Pure: the
// caller turns the result into a change of the Job through the same
// patchJob the CLI uses.

export type PatchType = 'json' | 'merge' | 'strategic';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

export function applyPatch(type: PatchType, doc: unknown, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, patch);
    case 'merge':
      return applyMergePatch(doc, patch);
    case 'strategic':
      return applyStrategicPatch(doc, patch);
  }
}

/** RFC 7386. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** The RFC 7386 patch that turns `from` into `to`. */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return to;
  const out: Obj = {};
  for (const k of Object.keys(from)) if (!(k in to) && from[k] !== undefined) out[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const before = from[k];
    if (before === undefined) out[k] = v;
    else if (canonicalJson(before) !== canonicalJson(v)) out[k] = isObject(before) && isObject(v) ? createMergePatch(before, v) : v;
  }
  return out;
}

// --- RFC 6902 -------------------------------------------------------------

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw badPatch(`invalid JSON pointer "${String(path)}"`);
  return path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function badPatch(why: string): GitjobsError {
  return new GitjobsError('Usage', `the server rejected our request due to an error in our request: ${why}`);
}

function parentOf(doc: unknown, parts: string[], op: string): { parent: Obj | unknown[]; key: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw badPatch(`${op} operation does not apply: doc is missing path: /${parts.join('/')}`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw badPatch(`${op} operation does not apply: doc is missing path: /${parts.join('/')}`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: unknown, parts: string[]): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = Object.hasOwn(cur, p) ? cur[p] : undefined;
    else return undefined;
  }
  return cur;
}

function index(arr: unknown[], key: string, forAdd: boolean, op: string): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length)) throw badPatch(`${op} operation does not apply: index ${key} out of range`);
  return i;
}

function add(doc: unknown, parts: string[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts, 'add');
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, 'add'), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, parts: string[], op = 'remove'): unknown {
  const { parent, key } = parentOf(doc, parts, op);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false, op), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw badPatch(`${op} operation does not apply: doc is missing key: /${parts.join('/')}`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badPatch('a JSON patch is a list of operations');
  let doc = structuredClone(target);
  for (const o of ops) {
    if (!isObject(o)) throw badPatch('a JSON patch operation is an object');
    const path = pointer(o.path);
    switch (o.op) {
      case 'add':
        doc = add(doc, path, structuredClone(o.value));
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'replace':
        if (getAt(doc, path) === undefined) throw badPatch(`replace operation does not apply: doc is missing key: ${String(o.path)}`);
        doc = add(remove(doc, path, 'replace'), path, structuredClone(o.value));
        break;
      case 'move':
      case 'copy': {
        const from = pointer(o.from);
        const value = getAt(doc, from);
        if (value === undefined) throw badPatch(`${o.op} operation does not apply: doc is missing from path: ${String(o.from)}`);
        if (o.op === 'move') doc = remove(doc, from, 'move');
        doc = add(doc, path, structuredClone(value));
        break;
      }
      case 'test':
        if (canonicalJson(getAt(doc, path) ?? null) !== canonicalJson(o.value ?? null)) throw badPatch(`testing value ${String(o.path)} failed`);
        break;
      default:
        throw badPatch(`Unexpected kind: ${String(o.op)}`);
    }
  }
  return doc;
}

// --- strategic merge ------------------------------------------------------

/**
 * The patch strategy of the list fields of Job and Pod (their Go types'
 * `patchMergeKey`): lists of objects merged by that key; every other list is
 * replaced, except the primitive lists that merge as sets.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  resourceClaims: 'name',
};
const SET_LISTS: ReadonlySet<string> = new Set(['finalizers']);

const DIRECTIVE = '$patch';
const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const RETAIN = '$retainKeys';

export function applyStrategicPatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw badPatch('a strategic merge patch is an object');
  return mergeMap(isObject(target) ? target : {}, patch);
}

function mergeMap(original: Obj, patch: Obj): Obj | undefined {
  if (patch[DIRECTIVE] === 'delete') return undefined;
  if (patch[DIRECTIVE] === 'replace') return withoutDirectives(patch);
  const out: Obj = { ...original };
  if (Array.isArray(patch[RETAIN])) {
    const keep = new Set((patch[RETAIN] as unknown[]).map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN) continue;
    if (k.startsWith(ORDER)) {
      if (Array.isArray(v)) orders.push([k.slice(ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => canonicalJson(x)));
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !drop.has(canonicalJson(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const before = out[k];
    if (isObject(v)) {
      const merged = mergeMap(isObject(before) ? before : {}, v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, Array.isArray(before) ? before : [], v);
    } else {
      out[k] = v;
    }
  }
  for (const [field, order] of orders) if (Array.isArray(out[field])) out[field] = reorder(field, out[field] as unknown[], order);
  return out;
}

function withoutDirectives(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

function mergeList(field: string, original: unknown[], patch: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  if (patch.some((p) => isObject(p) && p[DIRECTIVE] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'replace'));
  }
  if (key === undefined) {
    if (!SET_LISTS.has(field)) return structuredClone(patch);
    const seen = new Set(original.map((x) => canonicalJson(x)));
    return [...original, ...patch.filter((x) => !seen.has(canonicalJson(x)))];
  }
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = out.findIndex((o) => isObject(o) && canonicalJson(o[key]) === canonicalJson(item[key]));
    if (item[DIRECTIVE] === 'delete') {
      if (at !== -1) out.splice(at, 1);
    } else if (at === -1) {
      out.push(withoutDirectives(item));
    } else {
      const merged = mergeMap(out[at] as Obj, item);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    }
  }
  return out;
}

/** `$setElementOrder`: the listed elements in that order, any others after them as they were. */
function reorder(field: string, items: unknown[], order: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  const idOf = (x: unknown): string => canonicalJson(key !== undefined && isObject(x) ? x[key] : x);
  const rank = new Map(order.map((o, i) => [idOf(o), i]));
  const ranked = items.map((x, i) => ({ x, r: rank.get(idOf(x)) ?? order.length + i }));
  ranked.sort((a, b) => a.r - b.r);
  return ranked.map((e) => e.x);
}
