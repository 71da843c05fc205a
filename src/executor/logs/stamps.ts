import { readFileSync } from 'node:fs';

// Container output goes straight from the workload to its log file, with no
// process of ours in between (so it survives the daemon). To still know when
// each line was written, the daemon watches the file while the container runs
// and appends `<byte offset> <epoch ms>` to a sidecar index each time it grows:
// every line that starts at or after an offset was written at about that time.
// Lines written while no daemon was running get the time it came back.

export function stampsPath(logPath: string): string {
  return `${logPath}.stamps`;
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
