import { segmentsKey, type FieldPath, type Segment } from './path.js';

export interface Position {
  line: number;
  column: number;
}

interface Entry {
  key?: Position;
  value: Position;
}

/**
 * Remembers where every node of a document was written, by field path, so
 * that validation can speak in field paths and still report line:column.
 */
export class Locator {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly start: Position,
    private readonly prefix: readonly Segment[] = [],
    shared?: Locator,
  ) {
    if (shared !== undefined) this.entries = shared.entries;
  }

  record(segments: readonly Segment[], value: Position, key?: Position): void {
    const k = segmentsKey(segments);
    if (!this.entries.has(k)) this.entries.set(k, key === undefined ? { value } : { key, value });
  }

  /** A view of the subtree at `segments`, e.g. one item of a `kind: List`. */
  subtree(segments: readonly Segment[]): Locator {
    const start = this.entries.get(segmentsKey([...this.prefix, ...segments]))?.value ?? this.start;
    return new Locator(start, [...this.prefix, ...segments], this);
  }

  /**
   * The value at `path`; for `'key'`, the key that names it. A path that is
   * not in the document (a missing field) resolves to the key of its nearest
   * written ancestor, which is where the field would have to be added.
   */
  locate(path: FieldPath, at: 'value' | 'key' = 'value'): Position {
    const segs = [...this.prefix, ...path.segments];
    const exact = this.entries.get(segmentsKey(segs));
    if (exact !== undefined) return at === 'key' ? (exact.key ?? exact.value) : exact.value;
    for (let n = segs.length - 1; n >= this.prefix.length; n--) {
      const e = this.entries.get(segmentsKey(segs.slice(0, n)));
      if (e !== undefined) return e.key ?? e.value;
    }
    return this.start;
  }
}
