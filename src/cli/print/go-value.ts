// How Go's fmt prints the values of a decoded JSON object (map[string]interface{},
// []interface{}, int64, float64, string, bool, nil) — what jsonpath, go-template
// and custom-columns output is made of.

import { sortedKeys } from './gojson.js';

/** fmt's %v for a number: int64 for integers; for floats %g with Go's exponent rule. */
export function goNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 21 || (exp >= 6 && !Number.isInteger(v))) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** fmt.Sprint of a decoded JSON value: `map[a:1 b:x]`, `[a b]`, `<nil>`. */
export function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isMap(v)) return `map[${sortedKeys(v).map((k) => `${k}:${goSprint(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's type name for a decoded JSON value, as it appears in jsonpath errors. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}
