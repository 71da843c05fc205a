import type { FieldRule, FieldType, ObjectSchema } from './fields.js';
import { forbidden, formatValue, invalid } from './messages.js';
import type { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Checks a document against the field table the way Kubernetes' strict field
 * validation does, and returns a copy that holds only well-typed fields that
 * gitjobs interprets or records. YAML `null` means "unset", as in Kubernetes.
 */
export function checkObject(value: unknown, schema: ObjectSchema, path: FieldPath, r: Reporter): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    r.error('FieldInvalid', path, invalid(value, `must be an object (${schema.name})`));
    r.settle(path);
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const fieldPath = path.child(name);
    const rule = schema.fields.get(name);
    if (rule === undefined) {
      r.error('UnknownField', fieldPath, unknownField(fieldPath, name, schema), { at: 'key' });
      continue;
    }
    if (v === null) continue;
    const kept = checkField(v, rule, fieldPath, r);
    if (kept !== undefined && rule.support !== 'ignored') out[name] = kept;
  }
  return out;
}

function checkField(v: unknown, rule: FieldRule, path: FieldPath, r: Reporter): unknown {
  if (rule.support === 'refused' || rule.refuseWhen?.(v) === true) {
    r.error('FieldNotSupported', path, forbidden(`not supported by gitjobs: ${rule.note ?? 'cannot work for local processes'}`), { at: 'key' });
    r.settle(path);
    return undefined;
  }
  return checkType(v, rule.type, path, r);
}

function checkType(v: unknown, type: FieldType, path: FieldPath, r: Reporter): unknown {
  const bad = (what: string): undefined => {
    r.error('FieldInvalid', path, invalid(v, `must be ${what}`));
    r.settle(path);
    return undefined;
  };
  switch (type.t) {
    case 'any':
      return v;
    case 'string':
      return typeof v === 'string' ? v : bad('a string');
    case 'bool':
      return typeof v === 'boolean' ? v : bad('a boolean');
    case 'int32':
      if (!Number.isInteger(v)) return bad('an integer');
      return (v as number) < INT32_MIN || (v as number) > INT32_MAX ? bad('a 32-bit integer') : v;
    case 'int64':
      return Number.isSafeInteger(v) ? v : bad('an integer');
    case 'quantity':
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      return typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munk])?$/.test(v) ? v : bad('a quantity such as 500m or 1Gi');
    case 'object':
      return checkObject(v, type.schema, path, r);
    case 'array': {
      if (!Array.isArray(v)) return bad('a list');
      const out: unknown[] = [];
      v.forEach((item, i) => {
        if (item === null) return bad('a list without null items');
        out.push(checkType(item, type.of, path.index(i), r));
      });
      return out;
    }
    case 'map': {
      if (!isPlainObject(v)) return bad('a map');
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const kept = checkType(item, type.of, path.key(k), r);
        if (kept !== undefined) out[k] = kept;
      }
      return out;
    }
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Kubernetes' strict decoding says `unknown field "spec.completion"`; a hint
// for near misses saves a trip to the API reference.
function unknownField(path: FieldPath, name: string, schema: ObjectSchema): string {
  const hint = closest(name, [...schema.fields.keys()]);
  return `unknown field ${formatValue(path.toString())}${hint === undefined ? '' : ` (did you mean ${formatValue(hint)}?)`}`;
}

function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
