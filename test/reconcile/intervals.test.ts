import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countIndexes,
  countOverlap,
  firstFreeIndexes,
  formatIntervals,
  hasIndex,
  intervalsFromSorted,
  intervalsToString,
  parseIntervals,
  unionIntervals,
  withIndexes,
} from '../../src/reconcile/intervals.js';

describe('formatIntervals', () => {
  const cases: Record<string, [number[], string]> = {
    'empty set prints nothing': [[], ''],
    'single index': [[4], '4'],
    'two consecutive indexes are listed, not ranged': [[0, 1], '0,1'],
    'three or more consecutive indexes form a range': [[1, 3, 4, 5, 7], '1,3-5,7'],
    'mixed runs': [[2, 4, 5, 7, 8, 9], '2,4,5,7-9'],
    'duplicates collapse': [[1, 1, 2, 2, 3], '1-3'],
  };
  for (const [name, [indexes, text]] of Object.entries(cases)) {
    it(name, () => expect(formatIntervals(indexes)).toBe(text));
  }
});

describe('parseIntervals', () => {
  const cases: Record<string, [string, number, string]> = {
    'empty string is the empty set': ['', 10, ''],
    'round trip of the printed form': ['1,3-5,7', 10, '1,3-5,7'],
    'upper bound clamped to completions': ['2-9', 5, '2-4'],
    'stops at the first interval beyond completions': ['1,6,2', 5, '1'],
    'unparsable fragments are skipped': ['1,x,3-y,5', 10, '1,5'],
    'adjacent fragments merge': ['0,1,2,3', 10, '0-3'],
    'nothing fits zero completions': ['0-3', 0, ''],
  };
  for (const [name, [text, completions, want]] of Object.entries(cases)) {
    it(name, () => expect(intervalsToString(parseIntervals(text, completions))).toBe(want));
  }

  it('parse and format are inverse on any set below completions', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 })), (xs) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const text = formatIntervals(sorted);
        expect(intervalsToString(parseIntervals(text, 201))).toBe(text);
        expect(countIndexes(parseIntervals(text, 201))).toBe(sorted.length);
      }),
    );
  });
});

describe('set operations', () => {
  it('union merges overlapping and adjacent runs', () => {
    const a = parseIntervals('0-2,10', 100);
    const b = parseIntervals('3,8-9,20', 100);
    expect(intervalsToString(unionIntervals(a, b))).toBe('0-3,8-10,20');
  });

  it('union agrees with set union', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 })), fc.uniqueArray(fc.integer({ min: 0, max: 60 })), (xs, ys) => {
        const sort = (v: number[]) => [...v].sort((p, q) => p - q);
        const union = sort([...new Set([...xs, ...ys])]);
        expect(intervalsToString(unionIntervals(intervalsFromSorted(sort(xs)), intervalsFromSorted(sort(ys))))).toBe(formatIntervals(union));
        expect(intervalsToString(withIndexes(intervalsFromSorted(sort(xs)), ys))).toBe(formatIntervals(union));
        const inter = xs.filter((x) => ys.includes(x)).length;
        expect(countOverlap(intervalsFromSorted(sort(xs)), intervalsFromSorted(sort(ys)))).toBe(inter);
        for (let i = 0; i <= 60; i++) expect(hasIndex(intervalsFromSorted(union), i)).toBe(union.includes(i));
      }),
    );
  });

  it('first free indexes skip taken runs and stop at the limit', () => {
    const taken = parseIntervals('0,2-4,7', 100);
    expect(firstFreeIndexes(taken, 3, 100)).toEqual([1, 5, 6]);
    expect(firstFreeIndexes(taken, 10, 9)).toEqual([1, 5, 6, 8]);
    expect(firstFreeIndexes([], 2, 1)).toEqual([0]);
  });

  it('handles 100,000 indexes as a single run without expanding them', () => {
    const all = parseIntervals('0-99999', 100_000);
    expect(all).toHaveLength(1);
    expect(countIndexes(all)).toBe(100_000);
    expect(firstFreeIndexes(all, 5, 100_000)).toEqual([]);
    const evens = intervalsFromSorted(Array.from({ length: 50_000 }, (_, i) => i * 2));
    const union = unionIntervals(evens, intervalsFromSorted(Array.from({ length: 50_000 }, (_, i) => i * 2 + 1)));
    expect(intervalsToString(union)).toBe('0-99999');
  });
});
