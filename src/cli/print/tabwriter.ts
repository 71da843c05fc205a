// Go's text/tabwriter column layout, which both `kubectl get` tables and
// `kubectl describe` go through. Reproducing the algorithm (rather than padding
// each column to its widest cell) matters: a column's width is computed only
// over the run of consecutive lines that have a cell in it, which is what gives
// `describe` its nested, block-by-block alignment.

export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  minwidth: number;
  /** Spaces added to the widest text of a column. */
  padding: number;
}

/** `kubectl get` and custom-columns: printers.GetNewTabWriter. */
export const TABLE_LAYOUT: TabwriterOptions = { minwidth: 6, padding: 3 };
/** `kubectl describe`: tabbedString. */
export const DESCRIBE_LAYOUT: TabwriterOptions = { minwidth: 0, padding: 2 };

const textWidth = (s: string): number => [...s].length;

/** Lays out tab-separated cells; `\n` ends a line. The last cell of a line belongs to no column. */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i] ?? [];
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        const w = widths[j];
        if (w !== undefined) s += ' '.repeat(Math.max(0, w - textWidth(cell)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue;
      // A block of lines that all have a cell in this column begins here.
      writeLines(start, i);
      start = i;
      let width = opts.minwidth;
      for (; i < line1; i++) {
        const cells = lines[i] ?? [];
        if (column >= cells.length - 1) break;
        width = Math.max(width, textWidth(cells[column] ?? '') + opts.padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      // The outer loop's increment would skip line i, which ended the block.
      i--;
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

/** kubectl's printers.EscapeTerminal: neutralise escape sequences from user-controlled text. */
export function escapeTerminal(s: string): string {
  return s.replace(/\x1b/g, '^[').replace(/\r/g, '\\r');
}
