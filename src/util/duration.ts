// Durations as Go and kubectl write them (10s, 1m30s, 250ms, 2h): read from
// flags, and written in the messages that quote a kubelet's.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds, or undefined when the text is not a sequence of number+unit. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  }
  return consumed !== text.length || text.length === 0 ? undefined : total;
}

/** Whole minutes as `5m0s`, anything else in seconds (`10s`, `1.5s`), as the kubelet's back-off messages print it. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m0s`;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
