// Sets of completion indexes in Kubernetes' interval notation (`1,3-5,7`), as
// used by status.completedIndexes, status.failedIndexes and
// successPolicy.rules[].succeededIndexes. Indexed Jobs may have 100,000
// completions, so sets are kept as sorted runs and never expanded.

/** An inclusive run of indexes; lists are sorted, disjoint and never adjacent. */
export interface Interval {
  readonly first: number;
  readonly last: number;
}

export type Intervals = readonly Interval[];

/** Runs of a sorted list of indexes (duplicates tolerated). */
export function intervalsFromSorted(sortedIndexes: readonly number[]): Interval[] {
  const out: Interval[] = [];
  let first = -1;
  let last = -2;
  for (const ix of sortedIndexes) {
    if (ix <= last) continue;
    if (ix === last + 1) {
      last = ix;
      continue;
    }
    if (first >= 0) out.push({ first, last });
    first = ix;
    last = ix;
  }
  if (first >= 0) out.push({ first, last });
  return out;
}

/**
 * Kubernetes prints a run of two as `a,b` rather than `a-b`, so the text for
 * `{0,1}` is `0,1` and for `{1,3,4,5,7}` is `1,3-5,7`.
 */
export function intervalsToString(intervals: Intervals): string {
  const parts: string[] = [];
  for (const { first, last } of intervals) {
    if (first === last) parts.push(String(first));
    else if (last === first + 1) parts.push(`${first},${last}`);
    else parts.push(`${first}-${last}`);
  }
  return parts.join(',');
}

export function formatIntervals(sortedIndexes: readonly number[]): string {
  return intervalsToString(intervalsFromSorted(sortedIndexes));
}

/**
 * Lenient parse of a stored interval string, as the Job controller does: a
 * fragment that is not a number is skipped, upper bounds are clamped to
 * completions-1, and parsing stops at the first fragment at or beyond
 * completions (after an elastic scale-down those indexes no longer exist).
 */
export function parseIntervals(text: string, completions: number): Interval[] {
  const out: Interval[] = [];
  if (text === '' || completions <= 0) return out;
  for (const fragment of text.split(',')) {
    const limits = fragment.split('-');
    const first = parseIndex(limits[0]);
    if (first === undefined) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const upper = parseIndex(limits[1]);
      if (upper === undefined) continue;
      last = Math.min(upper, completions - 1);
    }
    if (last < first) continue;
    appendRun(out, first, last);
  }
  return out;
}

function parseIndex(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Appends a run that starts at or after the last one, merging overlap and adjacency. */
function appendRun(out: Interval[], first: number, last: number): void {
  const tail = out[out.length - 1];
  if (tail !== undefined && first <= tail.last + 1) {
    if (last > tail.last) out[out.length - 1] = { first: tail.first, last };
    return;
  }
  out.push({ first, last });
}

export function unionIntervals(a: Intervals, b: Intervals): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    let next: Interval;
    if (y === undefined || (x !== undefined && x.first <= y.first)) {
      next = x as Interval;
      i++;
    } else {
      next = y;
      j++;
    }
    appendRun(out, next.first, next.last);
  }
  return out;
}

/** Adds individual indexes (in any order) to a set. */
export function withIndexes(intervals: Intervals, indexes: readonly number[]): Interval[] {
  if (indexes.length === 0) return [...intervals];
  const sorted = [...indexes].sort((x, y) => x - y);
  return unionIntervals(intervals, intervalsFromSorted(sorted));
}

export function countIndexes(intervals: Intervals): number {
  let n = 0;
  for (const { first, last } of intervals) n += last - first + 1;
  return n;
}

export function hasIndex(intervals: Intervals, ix: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const run = intervals[mid] as Interval;
    if (ix < run.first) hi = mid - 1;
    else if (ix > run.last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How many indexes of `a` are also in `b`; linear in the number of runs. */
export function countOverlap(a: Intervals, b: Intervals): number {
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const overlap = Math.min(x.last, y.last) - Math.max(x.first, y.first) + 1;
    if (overlap > 0) n += overlap;
    if (y.last < x.last) j++;
    else i++;
  }
  return n;
}

/**
 * The lowest `count` indexes below `limit` that are in none of `taken`.
 * Bounded by the number of runs plus `count`, not by `limit`.
 */
export function firstFreeIndexes(taken: Intervals, count: number, limit: number): number[] {
  const out: number[] = [];
  let candidate = 0;
  for (const run of taken) {
    for (; candidate < limit && out.length < count && candidate < run.first; candidate++) out.push(candidate);
    if (out.length >= count || candidate >= limit) return out;
    if (candidate <= run.last) candidate = run.last + 1;
  }
  for (; candidate < limit && out.length < count; candidate++) out.push(candidate);
  return out;
}
