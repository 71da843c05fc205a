import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readStamps, stampsPath, type Stamp } from './stamps.js';

// The kubelet's containerLogMaxSize, for output that goes straight from the
// workload to its file. The workload holds the file open with O_APPEND, so it
// cannot be renamed away under it; instead the newest `max` bytes are copied to
// `<n>.log.1` (replacing the previous one) and the file is truncated in place,
// after which the writer carries on at the new end. On disk a container keeps
// at most that copy plus its current file. Before truncating, the copy catches
// up with what the writer appended meanwhile; only output written in the few
// microseconds between the last look and the truncation can be lost (as with
// logrotate's copytruncate, but a much smaller window).

/** The rotated file kept next to a container run's log. */
export function rotatedPath(logPath: string): string {
  return `${logPath}.1`;
}

const CHUNK = 1 << 20;

/**
 * Rotates the log when it is larger than maxBytes. Returns true when it did.
 * Memory use is one chunk, however large the file has grown. Once the writer
 * is gone (`ended`), nothing can be lost: the newest part stays in the log
 * itself (so `gitjobs logs` ends with the container's last lines) and the part
 * before it goes to `.1`.
 */
export function rotateIfOver(logPath: string, maxBytes: number, ended = false): boolean {
  let fd: number;
  try {
    fd = openSync(logPath, 'r+');
  } catch {
    return false;
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= maxBytes) return false;
    const stamps = readStamps(logPath);
    const cut = lineStart(fd, size - maxBytes, size);
    if (!ended) {
      const { from, to } = copyLiveTail(fd, cut, size, maxBytes, rotatedPath(logPath));
      writeStamps(rotatedPath(logPath), stamps, from, to);
      writeStamps(logPath, [], 0, 0);
      return true;
    }
    const from = lineStart(fd, Math.max(0, cut - maxBytes), cut);
    copyRange(fd, from, cut, rotatedPath(logPath));
    writeStamps(rotatedPath(logPath), stamps, from, cut);
    copyRange(fd, cut, size, logPath);
    writeStamps(logPath, stamps, cut, size);
    return true;
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies the newest part of a log that is still being written to `dest`, then
 * truncates the log. Before truncating it copies what the writer appended
 * meanwhile, a few times over, so the window in which output can be lost is the
 * few microseconds between the last look and the truncation rather than the
 * whole copy. `dest` keeps at most `maxBytes`, from a line start. Returns the
 * range of the original file that `dest` holds.
 */
function copyLiveTail(fd: number, cut: number, size: number, maxBytes: number, dest: string): { from: number; to: number } {
  const tmp = `${dest}.tmp`;
  const out = openSync(tmp, 'w+');
  let from = cut;
  let to = size;
  try {
    appendRange(fd, cut, size, out);
    for (let i = 0; i < 8; i++) {
      const now = fstatSync(fd).size;
      if (now <= to) break;
      appendRange(fd, to, now, out);
      to = now;
    }
    ftruncateSync(fd, 0);
    if (to - from > maxBytes) {
      // The writer outran the copy: keep only the newest maxBytes, from a line start.
      const keep = lineStart(out, to - from - maxBytes, to - from);
      const rest = Buffer.alloc(to - from - keep);
      readSync(out, rest, 0, rest.length, keep);
      ftruncateSync(out, 0);
      writeSync(out, rest, 0, rest.length, 0);
      from += keep;
    }
  } finally {
    closeSync(out);
  }
  renameSync(tmp, dest);
  return { from, to };
}

function appendRange(fd: number, from: number, to: number, out: number): void {
  const buf = Buffer.alloc(Math.max(1, Math.min(CHUNK, to - from)));
  for (let pos = from; pos < to; ) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
    if (got <= 0) break;
    writeSync(out, buf, 0, got);
    pos += got;
  }
}

/** The first line start at or after `at` (within 4 KiB), else `at` itself. */
function lineStart(fd: number, at: number, end: number): number {
  if (at === 0) return 0;
  const probe = Buffer.alloc(Math.min(4096, end - at));
  const n = readSync(fd, probe, 0, probe.length, at - 1);
  const nl = probe.subarray(0, n).indexOf(0x0a);
  return nl === -1 || at + nl >= end ? at : at + nl;
}

/** Copies [from, to) of the file into `dest`, replacing it atomically. */
function copyRange(fd: number, from: number, to: number, dest: string): void {
  const tmp = `${dest}.tmp`;
  const out = openSync(tmp, 'w');
  try {
    appendRange(fd, from, to, out);
  } finally {
    closeSync(out);
  }
  renameSync(tmp, dest);
}

/**
 * Keeps `logs --timestamps` right: the stamps of [from, to) go with those
 * bytes, shifted to their new offsets; the stamp in force at `from` opens them.
 */
function writeStamps(logPath: string, stamps: readonly Stamp[], from: number, to: number): void {
  const kept: string[] = [];
  let before: number | undefined;
  for (const s of stamps) {
    if (s.offset <= from) before = s.ms;
    else if (s.offset < to) kept.push(`${s.offset - from} ${s.ms}`);
  }
  if (before !== undefined && to > from) kept.unshift(`0 ${before}`);
  writeFileSync(stampsPath(logPath), kept.length > 0 ? kept.join('\n') + '\n' : '');
}
