import { describe, expect, it } from 'vitest';
import { age, humanDuration, shortHumanDuration } from '../../../src/cli/print/duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it.each([
    ['two seconds in the future is invalid', -2 * s, '<invalid>'],
    ['just under two seconds in the future is now', -1.5 * s, '0s'],
    ['zero', 0, '0s'],
    ['seconds below two minutes stay seconds', 65 * s, '65s'],
    ['119 seconds', 119 * s, '119s'],
    ['two minutes', 2 * m, '2m'],
    ['minutes and seconds below ten minutes', 125 * s, '2m5s'],
    ['seconds dropped from ten minutes', 23 * m + 14 * s, '23m'],
    ['minutes up to three hours', 179 * m, '179m'],
    ['hours and minutes below eight hours', 3 * h + 5 * m, '3h5m'],
    ['whole hours', 3 * h, '3h'],
    ['hours only from eight hours', 9 * h + 30 * m, '9h'],
    ['hours up to two days', 47 * h, '47h'],
    ['days', 2 * d, '2d'],
    ['days and hours below eight days', 3 * d + 4 * h, '3d4h'],
    ['days only from eight days', 30 * d + 5 * h, '30d'],
    ['years and days from two years', 2 * y + 10 * d, '2y10d'],
    ['whole years', 3 * y, '3y'],
    ['years only from eight years', 9 * y + 100 * d, '9y'],
  ])('%s', (_name, ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [59 * s, '59s'],
    [90 * s, '1m'],
    [5 * h + 59 * m, '5h'],
    [40 * d, '40d'],
    [800 * d, '2y'],
    [-3 * s, '<invalid>'],
  ])('%d ms is %s', (ms, expected) => {
    expect(shortHumanDuration(ms)).toBe(expected);
  });
});

describe('age', () => {
  it('an unset timestamp is <unknown>', () => {
    expect(age(undefined, 10_000)).toBe('<unknown>');
  });
  it('is the time elapsed since the timestamp', () => {
    expect(age(1_000_000, 1_000_000 + 30 * s)).toBe('30s');
  });
});
