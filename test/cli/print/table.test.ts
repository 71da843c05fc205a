import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/cli/print/table.js';
import { escapeTerminal, tabwrite, TABLE_LAYOUT } from '../../../src/cli/print/tabwriter.js';

/** What a table is by definition: escaped cells, tabwriter's layout. */
function reference(headers: string[], rows: string[][], noHeaders: boolean): string {
  if (rows.length === 0) return '';
  const lines = noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  const cells = lines.map((l) => l.map((c) => escapeTerminal(c).replace(/[\t\n]/g, ' ')));
  return tabwrite(cells.map((l) => l.join('\t')).join('\n'), TABLE_LAYOUT) + '\n';
}

// Names and counts, and what pods and manifests can put in a cell: controls,
// tabs, newlines, bidirectional overrides, wide and astral characters.
const piece = fc.constantFrom('a', 'job-1', '0/1', ' ', '', 'é', '日本', '😀', '\x1b[2J', '\r', '\t', '\n', '\u202e', '\x85', '\x7f');
const cell = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));

describe('renderTable', () => {
  it('lays out any cells as tabwriter does with them escaped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((n) =>
          fc.tuple(fc.array(cell, { minLength: n, maxLength: n }), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 6 }), fc.boolean()),
        ),
        ([headers, rows, noHeaders]) => {
          expect(renderTable(headers, rows, noHeaders)).toBe(reference(headers, rows, noHeaders));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lines of unequal length go through tabwriter too', () => {
    const rows = [['a', 'b', 'c'], ['long-name', 'x']];
    expect(renderTable(['x', 'y', 'z'], rows)).toBe(reference(['x', 'y', 'z'], rows, false));
  });

  it.each([
    ['a terminal escape', 'pi\x1b]0;owned\x07', 'pi^[]0;owned^G'],
    ['a newline', 'two\nlines', 'two lines'],
    ['a right-to-left override', 'evil\u202etxt', 'evil\\u202etxt'],
  ])('a cell with %s is escaped and the columns still line up', (_name, value, shown) => {
    const text = renderTable(['name', 'status'], [[value, 'Running'], ['pi', 'Complete']]);
    const lines = text.split('\n');
    expect(lines[1]).toBe(`${shown}   Running`);
    expect(lines[2]!.indexOf('Complete')).toBe(lines[1]!.indexOf('Running'));
  });
});
