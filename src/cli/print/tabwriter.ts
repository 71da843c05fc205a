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

// C0 controls other than tab and newline (which carry layout), DEL, C1 controls
// (U+009B is a one-character CSI on some terminals) and the bidirectional
// overrides that can make text read differently from what it is.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * kubectl's printers.EscapeTerminal (ESC → `^[`, CR → `\r`), extended to every
 * other control character, so that text a user or a pod controls (names of
 * commands, annotations, event and status messages) can neither move the
 * cursor, set the window title, clear the screen nor hide what follows.
 */
export function escapeTerminal(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\x1b') return '^[';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return '^?';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

const SGR = /\x1b\[[0-9;:]*m/g;

/**
 * For a log shown on a terminal: colours (SGR sequences) and CRLF line ends pass
 * through, every other control sequence is shown escaped as escapeTerminal does.
 */
export function escapeTerminalKeepColors(s: string): string {
  let out = '';
  let from = 0;
  const keep = (end: number): void => {
    out += escapeTerminal(s.slice(from, end)).replace(/\\r\n/g, '\r\n');
  };
  for (const m of s.matchAll(SGR)) {
    keep(m.index);
    out += m[0];
    from = m.index + m[0].length;
  }
  keep(s.length);
  return out;
}
