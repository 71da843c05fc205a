// kubectl describe's PrefixWriter over a tabwriter: two spaces per level, and
// an explicit flush that closes the alignment blocks written so far (describe
// flushes before the Events table so that it is laid out on its own).

import { DESCRIBE_LAYOUT, escapeTerminal, tabwrite } from './tabwriter.js';

export class DescribeWriter {
  private pending = '';
  private done = '';

  /** Writes `text` after `level` indentation steps. Cells are separated by `\t`. */
  write(level: number, text: string): void {
    this.pending += '  '.repeat(level) + escapeTerminal(text);
  }

  /** `w.WriteLine(x)`: the text and a newline, no indentation. */
  line(text: string): void {
    this.write(0, text + '\n');
  }

  flush(): void {
    if (this.pending === '') return;
    this.done += tabwrite(this.pending, DESCRIBE_LAYOUT);
    this.pending = '';
  }

  toString(): string {
    this.flush();
    return this.done;
  }
}
