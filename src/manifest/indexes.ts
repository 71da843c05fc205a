// The interval syntax of `successPolicy.rules[].succeededIndexes` ("1,3-5,7"),
// checked with the error texts of Kubernetes' parseIndexInterval.

export type IndexParse = { ok: true; count: number } | { ok: false; error: string };

/** Go's strconv.Atoi: optional sign, decimal digits, 64-bit range. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function parseIndexes(indexes: string, completions: number): IndexParse {
  if (indexes === '') return { ok: true, count: 0 };
  let last: number | undefined;
  let count = 0;
  for (const interval of indexes.split(',')) {
    const parsed = parseInterval(interval, completions);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    const [x, y] = parsed.range;
    if (last !== undefined && last >= x) return { ok: false, error: `non-increasing order, previous: ${last}, current: ${x}` };
    count += y - x + 1;
    last = y;
  }
  return { ok: true, count };
}

function parseInterval(interval: string, completions: number): { range: [number, number] } | { error: string } {
  const limits = interval.split('-');
  if (limits.length > 2) {
    return { error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'` };
  }
  const [a = '', b] = limits;
  const x = atoi(a);
  if (x === undefined) return { error: `cannot convert string to integer for index: ${JSON.stringify(a)}` };
  if (x >= completions) return { error: `too large index: ${JSON.stringify(a)}` };
  if (b === undefined) return { range: [x, x] };
  const y = atoi(b);
  if (y === undefined) return { error: `cannot convert string to integer for index: ${JSON.stringify(b)}` };
  if (y >= completions) return { error: `too large index: ${JSON.stringify(b)}` };
  if (x >= y) return { error: `non-increasing order, previous: ${x}, current: ${y}` };
  return { range: [x, y] };
}
