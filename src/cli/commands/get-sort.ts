// The pure parts of `get --sort-by` and `-o custom-columns-file`.

import { GitjobsError } from '../../errors.js';
import { parseCustomColumns, relaxedJsonPath, type CustomColumn } from '../print/custom-columns.js';
import { findJsonPathResults, parseJsonPath } from '../print/jsonpath.js';

/**
 * Sorts by the value a JSONPath finds in each object's API form, as kubectl's
 * `--sort-by`: numbers by value, strings in natural order (so RFC 3339 times
 * sort by time and `pod-10` after `pod-9`). Objects without the field come
 * first; the sort is stable.
 */
export function sortRows<T>(rows: readonly T[], toObject: (row: T) => unknown, expr: string): T[] {
  let template;
  try {
    template = parseJsonPath(relaxedJsonPath(expr));
  } catch (err) {
    throw new GitjobsError('Usage', `error: couldn't parse --sort-by "${expr}": ${(err as Error).message}`);
  }
  const keyed = rows.map((row, i) => {
    const found = findJsonPathResults(template, toObject(row), { allowMissingKeys: true })[0] ?? [];
    return { row, i, value: found.length === 0 ? undefined : found[0] };
  });
  keyed.sort((a, b) => compareValues(a.value, b.value) || a.i - b.i);
  return keyed.map((k) => k.row);
}

export function compareValues(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return naturalCompare(sa, sb);
}

/** Runs of digits compare as numbers, everything else byte by byte. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** A custom-columns file: a line of headers, then a line of paths, separated by whitespace. */
export function parseCustomColumnsFile(text: string): CustomColumn[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length !== 2) {
    throw new GitjobsError('Usage', `error: invalid custom-columns file: expected 2 lines (headers and paths), found ${lines.length}`);
  }
  const headers = lines[0]!.split(/\s+/);
  const paths = lines[1]!.split(/\s+/);
  if (headers.length !== paths.length) {
    throw new GitjobsError('Usage', `error: expected ${headers.length} columns, got ${paths.length}`);
  }
  return parseCustomColumns(headers.map((h, i) => `${h}:${paths[i]}`).join(','));
}
