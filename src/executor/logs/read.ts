import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { readStamps, stampedLines, type Stamp } from './stamps.js';

// Reading a container's log as `kubectl logs` shows it: the CLI prints it and
// the API's pods/log streams it, from this one reader.

export interface LogView {
  /** Only the last N lines; -1: all. */
  tail: number;
  timestamps: boolean;
  /** Only lines written at or after this time. */
  sinceAt: number | undefined;
}

/**
 * A capped log keeps one older file (`<n>.log.1`, see --pod-log-max-size): the
 * container's output is that file followed by the current one, with the time
 * stamps of both, so the newest output shows even right after a rotation.
 */
export function readWithRotated(path: string): { text: string; stamps: Stamp[] } {
  const older = readAll(`${path}.1`);
  const current = readAll(path);
  const shift = Buffer.byteLength(older);
  const stamps = [...(older === '' ? [] : readStamps(`${path}.1`)), ...readStamps(path).map((st) => ({ offset: st.offset + shift, ms: st.ms }))];
  return { text: older + current, stamps };
}

export function readAll(path: string): string {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(size);
      readSync(fd, buf, 0, size, 0);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

function lastLines(text: string, n: number): string {
  if (n < 0) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  return lines.slice(-n).join('\n') + (trailing || lines.length > 0 ? '\n' : '');
}

/** Applies --since, --tail and --timestamps, in kubectl's order. */
export function renderLog(text: string, path: string, view: LogView, fallbackMs: number, fromOffset = 0, given?: Stamp[]): string {
  if (!view.timestamps && view.sinceAt === undefined) return lastLines(text, view.tail);
  const stamps = (given ?? readStamps(path)).map((s) => ({ offset: s.offset - fromOffset, ms: s.ms }));
  let lines = stampedLines(text, stamps, fallbackMs);
  if (view.sinceAt !== undefined) lines = lines.filter((l) => l.ms >= view.sinceAt!);
  if (view.tail >= 0) lines = view.tail === 0 ? [] : lines.slice(-view.tail);
  return lines.map((l) => (view.timestamps ? `${rfc3339Nano(l.ms)} ${l.line}` : l.line) + '\n').join('');
}

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000000Z');
}

export interface FollowOptions {
  path: string;
  view: LogView;
  fallbackMs: number;
  /** Whether the pod has ended: then the file is read to its end and following stops. */
  ended: () => boolean;
  /** Receives each piece in order; a returned promise is waited for (a slow reader). */
  write: (text: string) => void | Promise<void>;
  /** Stops following (the reader went away). */
  stopped?: () => boolean;
  pollMs?: number;
}

/** Streams a log file until the pod has ended and the file has been read to its end. */
export async function followLog(o: FollowOptions): Promise<void> {
  const initial = readAll(o.path);
  await o.write(renderLog(initial, o.path, o.view, o.fallbackMs));
  let offset = Buffer.byteLength(initial);
  for (;;) {
    if (o.stopped?.() === true) return;
    const ended = o.ended();
    let size = 0;
    try {
      size = statSync(o.path).size;
    } catch {
      size = 0;
    }
    // The log was rotated (capped): what is left starts again at its beginning.
    if (size < offset) offset = 0;
    if (size > offset) {
      const fd = openSync(o.path, 'r');
      let text: string;
      const from = offset;
      try {
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        text = buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
      await o.write(renderLog(text, o.path, { ...o.view, tail: -1 }, Date.now(), from));
    }
    if (ended && size <= offset) return;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
  }
}
