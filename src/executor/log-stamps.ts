import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { rotateIfOver } from './log-cap.js';

// Container output goes straight from the workload to its log file, with no
// process of ours in between (so it survives the daemon). To still know when
// each line was written, the daemon watches the file while the container runs
// and appends `<byte offset> <epoch ms>` to a sidecar index each time it grows:
// every line that starts at or after an offset was written at about that time.
// Lines written while no daemon was running get the time it came back.

export function stampsPath(logPath: string): string {
  return `${logPath}.stamps`;
}

export class LogStamper {
  private readonly watchers = new Map<string, { watcher: FSWatcher; offset: number; pending: boolean }>();

  /** With maxBytes, a log that grows past it is rotated each time it is looked at (see log-cap). */
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

export interface Stamp {
  offset: number;
  ms: number;
}

export function readStamps(logPath: string): Stamp[] {
  try {
    return readFileSync(stampsPath(logPath), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [o, t] = l.split(' ');
        return { offset: Number(o), ms: Number(t) };
      })
      .filter((s) => Number.isFinite(s.offset) && Number.isFinite(s.ms));
  } catch {
    return [];
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

/**
 * Splits a log into lines with the time each was written (the stamp of the
 * chunk its first byte belongs to), for `logs --timestamps` and `--since`.
 */
export function stampedLines(text: string, stamps: readonly Stamp[], fallbackMs: number): { line: string; ms: number }[] {
  const out: { line: string; ms: number }[] = [];
  let offset = 0;
  let si = 0;
  const buf = Buffer.from(text, 'utf8');
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i < buf.length && buf[i] !== 0x0a) continue;
    if (i === buf.length && start === buf.length) break;
    offset = start;
    while (si + 1 < stamps.length && stamps[si + 1]!.offset <= offset) si++;
    const ms = stamps.length > 0 && stamps[si]!.offset <= offset ? stamps[si]!.ms : fallbackMs;
    out.push({ line: buf.subarray(start, i).toString('utf8'), ms });
    start = i + 1;
  }
  return out;
}
