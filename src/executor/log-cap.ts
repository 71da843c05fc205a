import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { readStamps, stampsPath, type Stamp } from './log-stamps.js';

// The kubelet's containerLogMaxSize, for output that goes straight from the
// workload to its file. The workload holds the file open with O_APPEND, so it
// cannot be renamed away under it; instead the newest `max` bytes are copied to
// `<n>.log.1` (replacing the previous one) and the file is truncated in place,
// after which the writer carries on at the new end. On disk a container keeps
// at most that copy plus its current file. Lines written between the copy and
// the truncation (microseconds) are lost, as with logrotate's copytruncate.

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
      copyRange(fd, cut, size, rotatedPath(logPath));
      ftruncateSync(fd, 0);
      writeStamps(rotatedPath(logPath), stamps, cut, size);
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
    const buf = Buffer.alloc(Math.max(1, Math.min(CHUNK, to - from)));
    for (let pos = from; pos < to; ) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (got <= 0) break;
      writeSync(out, buf, 0, got);
      pos += got;
    }
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
