import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('durations read from flags', () => {
  const cases: Record<string, [string, number | undefined]> = {
    'seconds': ['10s', 10_000],
    'milliseconds': ['250ms', 250],
    'minutes and seconds together': ['1m30s', 90_000],
    'hours': ['2h', 7_200_000],
    'a fraction': ['1.5s', 1500],
    'a number without a unit is refused': ['10', undefined],
    'an empty text is refused': ['', undefined],
    'trailing garbage is refused': ['10sx', undefined],
  };
  for (const [name, [text, want]] of Object.entries(cases)) it(name, () => expect(parseDuration(text)).toBe(want));
});

describe('durations in back-off messages', () => {
  const cases: Record<string, [number, string]> = {
    'no wait': [0, '0s'],
    'whole seconds': [20_000, '20s'],
    'a fraction of a second': [1500, '1.5s'],
    'whole minutes as Go prints them': [300_000, '5m0s'],
  };
  for (const [name, [ms, want]] of Object.entries(cases)) it(name, () => expect(formatDuration(ms)).toBe(want));
});
