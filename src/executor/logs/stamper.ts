import { appendFileSync, closeSync, existsSync, fstatSync, openSync, watch, type FSWatcher } from 'node:fs';
import { rotateIfOver } from './cap.js';
import { readStamps, stampsPath } from './stamps.js';

// The watcher that writes a running container's stamps (the format is
// stamps.ts's), and rotates its log past the cap (cap.ts).

export class LogStamper {
  private readonly watchers = new Map<string, { watcher: FSWatcher; offset: number; pending: boolean }>();

  /** With maxBytes, a log that grows past it is rotated each time it is looked at (see cap.ts). */
  constructor(
    private readonly now: () => number,
    private readonly maxBytes?: number,
  ) {}

  /** Starts stamping a log file; `fromOffset` resumes after a daemon restart. */
  watch(logPath: string): void {
    if (this.watchers.has(logPath) || !existsSync(logPath)) return;
    const entry = { watcher: undefined as unknown as FSWatcher, offset: lastStampedOffset(logPath), pending: false };
    try {
      entry.watcher = watch(logPath, { persistent: false }, () => {
        if (entry.pending) return;
        entry.pending = true;
        setImmediate(() => {
          entry.pending = false;
          this.stamp(logPath);
        });
      });
    } catch {
      return; // a file we cannot watch keeps its lines unstamped; logs still work
    }
    this.watchers.set(logPath, entry);
    this.stamp(logPath);
  }

  /** Records what the file holds now and stops watching it (the container ended). */
  finish(logPath: string): void {
    this.stamp(logPath, true);
    const e = this.watchers.get(logPath);
    if (e) e.watcher.close();
    this.watchers.delete(logPath);
  }

  closeAll(): void {
    for (const e of this.watchers.values()) e.watcher.close();
    this.watchers.clear();
  }

  private stamp(logPath: string, ended = false): void {
    const e = this.watchers.get(logPath);
    let size: number;
    try {
      const fd = openSync(logPath, 'r');
      try {
        size = fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return;
    }
    let from = e?.offset ?? lastStampedOffset(logPath);
    // Shorter than stamped: rotated meanwhile, its index starts again at 0.
    if (size < from) from = 0;
    if (size > from) appendFileSync(stampsPath(logPath), `${from} ${this.now()}\n`);
    if (e) e.offset = size;
    if (this.maxBytes !== undefined && size > this.maxBytes) {
      try {
        if (rotateIfOver(logPath, this.maxBytes, ended) && e) e.offset = 0;
      } catch {
        // a full disk: the next growth tries again
      }
    }
  }
}

/** The byte offset up to which the file has been stamped: where a resumed watch starts. */
function lastStampedOffset(logPath: string): number {
  const stamps = readStamps(logPath);
  if (stamps.length === 0) return 0;
  // Each entry marks where a chunk starts; the file was stamped up to its size at that time,
  // which we do not store, so resume at the last chunk start: at worst a chunk is stamped twice.
  return stamps[stamps.length - 1]!.offset;
}
