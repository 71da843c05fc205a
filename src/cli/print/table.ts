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
  /** Several kinds in one listing (`get all`): names read `pod/pi-x7k2p`, `job.batch/pi`. */
  kindPrefix?: string;
}

export interface Column<T> {
  header: string;
  cell: (row: T) => string;
  /** Shown only with `-o wide`. */
  wide?: boolean;
}

// Tabs or newlines inside a value would break the layout; kubectl's cells never carry them.
const clean = (c: string): string => escapeTerminal(c).replace(/[\t\n]/g, ' ');

/** Lines end in `\n`; no rows gives '' (kubectl then says "No resources found", see noResourcesFound). */
export function renderTable(headers: string[], rows: string[][], noHeaders = false): string {
  if (rows.length === 0) return '';
  const head = noHeaders ? undefined : headers.map((h) => h.toUpperCase());
  return plainLayout(head, rows) ?? layout((head === undefined ? rows : [head, ...rows]).map((cells) => cells.map(clean)));
}

// What makes plainLayout's result wrong: what escapeTerminal rewrites, a tab,
// and UTF-16 surrogates (a character two code units long but one column wide).
const NOT_PLAIN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/;

/**
 * The common case, most cells being names, counts and ages: every line has the
 * same cells and none needs escaping, so each column but the last is padded to
 * its longest cell, as tabwriter would. Checking the text once afterwards costs
 * far less than checking each of 50,000 cells; undefined when the check fails.
 */
function plainLayout(head: string[] | undefined, rows: string[][]): string | undefined {
  const n = rows[0]!.length;
  const widths: number[] = new Array<number>(n).fill(0);
  const measure = (cells: string[]): boolean => {
    if (cells.length !== n) return false;
    for (let j = 0; j < n - 1; j++) if (cells[j]!.length > widths[j]!) widths[j] = cells[j]!.length;
    return true;
  };
  if (head !== undefined && !measure(head)) return undefined;
  for (const cells of rows) if (!measure(cells)) return undefined;
  for (let j = 0; j < n - 1; j++) widths[j] = Math.max(TABLE_LAYOUT.minwidth, widths[j]! + TABLE_LAYOUT.padding);
  // The cells and the padding go into one array joined at the end: appending to
  // a string would keep a node per piece alive until the end, which at 10,000
  // rows is most of the garbage collector's work.
  const pads: string[] = [];
  const pieces: string[] = new Array<string>((rows.length + 1) * 2 * n);
  let p = 0;
  const put = (cells: string[]): void => {
    for (let j = 0; j < n - 1; j++) {
      const k = widths[j]! - cells[j]!.length;
      pieces[p++] = cells[j]!;
      pieces[p++] = pads[k] ??= ' '.repeat(k);
    }
    pieces[p++] = cells[n - 1]!;
    pieces[p++] = '\n';
  };
  if (head !== undefined) put(head);
  for (const cells of rows) put(cells);
  pieces.length = p;
  const out = pieces.join('');
  if (NOT_PLAIN.test(out) || countLines(out) !== rows.length + (head === undefined ? 0 : 1)) return undefined;
  return out;
}

function countLines(s: string): number {
  let lines = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Any cells, already escaped: tabwriter's layout, counting code points. */
function layout(lines: string[][]): string {
  const n = lines[0]!.length;
  if (!lines.every((cells) => cells.length === n)) return tabwrite(lines.map((cells) => cells.join('\t')).join('\n'), TABLE_LAYOUT) + '\n';
  // Every line has the same cells: tabwriter then pads each column but the last
  // to its widest cell plus the padding, which is cheaper to do directly.
  const widths: number[] = [];
  for (let j = 0; j < n - 1; j++) {
    let w = 0;
    for (const cells of lines) w = Math.max(w, width(cells[j]!));
    widths.push(Math.max(TABLE_LAYOUT.minwidth, w + TABLE_LAYOUT.padding));
  }
  let out = '';
  for (const cells of lines) {
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
  const prefix = opts.kindPrefix;
  const cols: Column<T>[] = columns
    .filter((c) => c.wide !== true || opts.wide === true)
    .map((c) => (prefix === undefined || c.header !== 'NAME' ? c : { ...c, cell: (r: T) => `${prefix}/${c.cell(r)}` }));
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
