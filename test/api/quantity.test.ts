import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/api/quantity.js';

describe('resource quantities', () => {
  const cases: Record<string, [string, number | undefined]> = {
    'a bare number': ['2', 2],
    'millicores': ['250m', 0.25],
    'binary suffixes': ['1Gi', 2 ** 30],
    'decimal suffixes': ['129M', 129e6],
    'an exponent': ['1e3', 1000],
    'a decimal point': ['1.5', 1.5],
    'garbage is refused': ['lots', undefined],
  };
  for (const [name, [q, want]] of Object.entries(cases)) {
    it(name, () => expect(parseQuantity(q)).toBe(want));
  }
});
