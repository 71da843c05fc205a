// The Prometheus text format (version 0.0.4), written by hand for the series
// computed from the store: at 10,000 Jobs there are ~150,000 of them, and
// building prom-client gauges for each on every scrape costs several times
// what concatenating their lines does.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the format quotes it: backslash, double quote and newline escaped. */
export function labelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** `# HELP` and `# TYPE` lines; STABLE families say so in their help, as kube-state-metrics' do. */
export function header(name: string, help: string, type: 'gauge' | 'counter', stable: boolean): string {
  const text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${name} ${stable ? '[STABLE] ' : ''}${text}\n# TYPE ${name} ${type}\n`;
}

/**
 * Object labels (`app.kubernetes.io/name`) as Prometheus label names, the way
 * kube-state-metrics makes them: prefixed, invalid characters as `_`,
 * camelCase as snake_case, and names that collide after that suffixed
 * `_conflict1`, `_conflict2`… in key order.
 */
export function prometheusLabels(prefix: string, labels: Readonly<Record<string, string>>): [string, string][] {
  const keys = Object.keys(labels).sort();
  const out: [string, string][] = [];
  const used = new Map<string, number>();
  const conflicts = new Map<string, number>();
  const nextFree = (base: string, count: { n: number }): string => {
    for (;;) {
      count.n++;
      const candidate = `${base}_conflict${count.n}`;
      if (!used.has(candidate)) return candidate;
    }
  };
  for (const k of keys) {
    const base = `${prefix}_${k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
    let name = base;
    const seen = conflicts.get(base);
    if (seen !== undefined) {
      const count = { n: seen };
      name = nextFree(base, count);
      conflicts.set(base, count.n);
    } else if (used.has(name)) {
      // The first collision renames the entry already emitted under the name too.
      const count = { n: 0 };
      const idx = used.get(name)!;
      const renamed = nextFree(base, count);
      used.delete(name);
      out[idx]![0] = renamed;
      used.set(renamed, idx);
      name = nextFree(base, count);
      conflicts.set(base, count.n);
    }
    used.set(name, out.length);
    out.push([name, labels[k]!]);
  }
  return out;
}

/** Seconds since the epoch, truncated as Go's Time.Unix() is. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
