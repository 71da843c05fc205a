// The human-readable table of `kubectl get`: upper-case headers, tabwriter
// columns three spaces apart, one line per object.

import { escapeTerminal, tabwrite, TABLE_LAYOUT } from './tabwriter.js';

export interface TableOptions {
  /** `-o wide`: the extra columns of each resource. */
  wide?: boolean;
  /** `--no-headers`. */
  noHeaders?: boolean;
  /** `-A` / `--all-namespaces`: a leading NAMESPACE column. */
  showNamespace?: boolean;
  /** `--show-labels`: a trailing LABELS column. */
  showLabels?: boolean;
}

export interface Column<T> {
  header: string;
  cell: (row: T) => string;
  /** Shown only with `-o wide`. */
  wide?: boolean;
}

/** Lines end in `\n`; no rows gives '' (kubectl then says "No resources found", see noResourcesFound). */
export function renderTable(headers: string[], rows: string[][], noHeaders = false): string {
  if (rows.length === 0) return '';
  const lines = noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  // Tabs or newlines inside a value would break the layout; kubectl's cells never carry them.
  const clean = (c: string): string => escapeTerminal(c).replace(/[\t\n]/g, ' ');
  const cleaned = lines.map((cells) => cells.map(clean));
  const n = cleaned[0]!.length;
  if (!cleaned.every((cells) => cells.length === n)) return tabwrite(cleaned.map((cells) => cells.join('\t')).join('\n'), TABLE_LAYOUT) + '\n';
  // Every line has the same cells: tabwriter then pads each column but the last
  // to its widest cell plus the padding, which is cheaper to do directly.
  const widths: number[] = [];
  for (let j = 0; j < n - 1; j++) {
    let w = 0;
    for (const cells of cleaned) w = Math.max(w, width(cells[j]!));
    widths.push(Math.max(TABLE_LAYOUT.minwidth, w + TABLE_LAYOUT.padding));
  }
  let out = '';
  for (const cells of cleaned) {
    let line = '';
    for (let j = 0; j < n - 1; j++) line += cells[j]! + ' '.repeat(widths[j]! - width(cells[j]!));
    out += line + cells[n - 1]! + '\n';
  }
  return out;
}

/** Display width as tabwriter counts it: code points. */
function width(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

export function printTable<T>(
  columns: Column<T>[],
  rows: T[],
  opts: TableOptions & { namespaceOf?: (row: T) => string; labelsOf?: (row: T) => Record<string, string> },
): string {
  const cols: Column<T>[] = columns.filter((c) => c.wide !== true || opts.wide === true);
  if (opts.showNamespace === true && opts.namespaceOf !== undefined) {
    const ns = opts.namespaceOf;
    cols.unshift({ header: 'NAMESPACE', cell: ns });
  }
  if (opts.showLabels === true && opts.labelsOf !== undefined) {
    const labels = opts.labelsOf;
    cols.push({ header: 'LABELS', cell: (r) => formatLabels(labels(r)) });
  }
  return renderTable(
    cols.map((c) => c.header),
    rows.map((r) => cols.map((c) => c.cell(r))),
    opts.noHeaders,
  );
}

/** labels.FormatLabels: `k=v` sorted by key and joined by `,`; `<none>` when empty. */
export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

/** What kubectl writes to stderr for an empty listing. */
export function noResourcesFound(namespace?: string): string {
  return namespace === undefined ? 'No resources found' : `No resources found in ${namespace} namespace.`;
}
