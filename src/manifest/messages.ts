// Kubernetes' field error strings (apimachinery field/errors.go), so that
// users read the same text a cluster would answer with.

/** Go's `%v` for numbers and booleans, `%q` for strings, JSON for the rest. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return canonicalJson(v);
}

export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val === null || typeof val !== 'object' || Array.isArray(val)) return val;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(val).sort()) sorted[k] = (val as Record<string, unknown>)[k];
    return sorted;
  }) ?? 'null';
}

export const required = (detail?: string): string => (detail === undefined ? 'Required value' : `Required value: ${detail}`);
export const invalid = (value: unknown, detail: string): string => `Invalid value: ${formatValue(value)}: ${detail}`;
export const forbidden = (detail: string): string => `Forbidden: ${detail}`;
export const duplicate = (value: unknown): string => `Duplicate value: ${formatValue(value)}`;
export const tooLong = (max: number): string => `Too long: may not be more than ${max} bytes`;
export const tooMany = (actual: number, max: number): string => `Too many: ${actual}: must have at most ${max} items`;
export const notSupported = (value: unknown, supported: readonly string[]): string =>
  `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;
export const nonNegative = (value: number): string => invalid(value, 'must be greater than or equal to 0');
/** Go's `%q` of a sorted []string: `["A" "B"]`. */
export const goQuotedList = (values: readonly string[]): string => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
