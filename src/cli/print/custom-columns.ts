// `-o custom-columns=NAME:.metadata.name,STATUS:.status.phase`.

import { GitjobsError } from '../../errors.js';
import { goSprint } from './go-value.js';
import { findJsonPathResults, parseJsonPath, type Template } from './jsonpath.js';
import { renderTable } from './table.js';

export interface CustomColumn {
  header: string;
  template: Template;
}

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** RelaxedJSONPathExpression: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`. */
export function relaxedJsonPath(expr: string): string {
  if (expr === '') return expr;
  const m = RELAXED.exec(expr);
  if (m === null) {
    throw new GitjobsError(
      'Usage',
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    );
  }
  return `{.${m[1] !== undefined && m[1] !== '' ? m[1] : (m[2] ?? '')}}`;
}

export function parseCustomColumns(spec: string): CustomColumn[] {
  if (spec === '') throw new GitjobsError('Usage', 'custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon === -1) {
      throw new GitjobsError('Usage', `unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    return { header: part.slice(0, colon), template: parseJsonPath(relaxedJsonPath(part.slice(colon + 1))) };
  });
}

function cell(column: CustomColumn, obj: unknown): string {
  // A field that is absent, or null in our objects where the API server would omit it, is kubectl's <none>.
  const values = findJsonPathResults(column.template, obj, { allowMissingKeys: true }).map((r) => r.filter((v) => v !== null && v !== undefined));
  const first = values[0];
  if (first === undefined || first.length === 0) return '<none>';
  return values.flatMap((r) => r.map(goSprint)).join(',');
}

/** The table for `items`; headers are printed as written, not upper-cased. */
export function printCustomColumns(spec: string | CustomColumn[], items: unknown[], opts: { noHeaders?: boolean } = {}): string {
  const columns = typeof spec === 'string' ? parseCustomColumns(spec) : spec;
  const rows = items.map((obj) => columns.map((c) => cell(c, obj)));
  if (rows.length === 0) return '';
  const headers = columns.map((c) => c.header);
  // Headers go in as an ordinary row: renderTable would upper-case them.
  return renderTable(headers, opts.noHeaders === true ? rows : [headers, ...rows], true);
}
