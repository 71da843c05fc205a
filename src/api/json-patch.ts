// RFC 6902 JSON Patch on plain JSON values, and the RFC 7386 merge patch that
// takes one value to another: `patch --type=json` is applied to the Job as
// `get -o json` shows it and sent as the merge patch of what it changed.

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export class JsonPatchError extends Error {}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${pointer}": must start with /`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function parentOf(doc: unknown, path: string): { parent: Container; key: string } {
  const ts = tokens(path);
  if (ts.length === 0) throw new JsonPatchError('the whole document cannot be patched');
  let cur: unknown = doc;
  for (const t of ts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[t];
    else cur = undefined;
    if (cur === undefined || cur === null || typeof cur !== 'object') throw new JsonPatchError(`path "${path}" does not exist`);
  }
  return { parent: cur as Container, key: ts[ts.length - 1]! };
}

function get(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const t of tokens(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new JsonPatchError(`path "${path}" does not exist`);
    if (cur === undefined) throw new JsonPatchError(`path "${path}" does not exist`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new JsonPatchError(`invalid array index "${key}"`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new JsonPatchError(`array index ${i} out of range`);
  return i;
}

function add(doc: unknown, path: string, value: unknown): void {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0];
  if (!Object.hasOwn(parent, key)) throw new JsonPatchError(`path "${path}" does not exist`);
  const old = parent[key];
  delete parent[key];
  return old;
}

/** The document with the operations applied in order; the input is not changed. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new JsonPatchError('a json patch is a list of operations, e.g. [{"op":"replace","path":"/spec/parallelism","value":2}]');
  const out = clone(doc);
  for (const raw of ops as JsonPatchOp[]) {
    if (raw === null || typeof raw !== 'object' || typeof raw.path !== 'string') throw new JsonPatchError('each operation needs "op" and "path"');
    switch (raw.op) {
      case 'add':
        add(out, raw.path, clone(raw.value));
        break;
      case 'remove':
        remove(out, raw.path);
        break;
      case 'replace':
        remove(out, raw.path);
        add(out, raw.path, clone(raw.value));
        break;
      case 'move': {
        if (typeof raw.from !== 'string') throw new JsonPatchError('move needs "from"');
        add(out, raw.path, remove(out, raw.from));
        break;
      }
      case 'copy':
        if (typeof raw.from !== 'string') throw new JsonPatchError('copy needs "from"');
        add(out, raw.path, clone(get(out, raw.from)));
        break;
      case 'test':
        if (JSON.stringify(get(out, raw.path)) !== JSON.stringify(raw.value)) throw new JsonPatchError(`test failed: ${raw.path} is not ${JSON.stringify(raw.value)}`);
        break;
      default:
        throw new JsonPatchError(`unsupported operation "${String((raw as { op: unknown }).op)}"`);
    }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The merge patch that takes `from` to `to`: removed keys are null, arrays and scalars are replaced whole. */
export function mergePatchBetween(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return clone(to);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!Object.hasOwn(from, k)) patch[k] = clone(v);
    else if (JSON.stringify(from[k]) !== JSON.stringify(v)) patch[k] = isObject(from[k]) && isObject(v) ? mergePatchBetween(from[k], v) : clone(v);
  }
  return patch;
}
