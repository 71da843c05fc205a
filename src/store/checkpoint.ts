import { statSync } from 'node:fs';
import type { Db } from './db.js';

export interface CheckpointResult {
  /** True when a reader still needed older frames, so the WAL could not be emptied. */
  busy: boolean;
  walBytes: number;
}

/**
 * SQLite's automatic checkpoints are PASSIVE: while a reader (a CLI listing, a
 * `logs -f`) holds an old snapshot they cannot get past it, and the -wal file
 * keeps the size of its high-water mark even after it is reset. A TRUNCATE
 * checkpoint brings it back to zero once no reader needs it. It is tried
 * without waiting (busy timeout 0): a reader makes this attempt fail at once,
 * the next one succeeds, and the daemon's event loop is never blocked.
 */
export function checkpointWal(db: Db, walPath: string): CheckpointResult {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  let busy = true;
  try {
    const row = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    busy = (row[0]?.busy ?? 1) !== 0;
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY' && (err as { code?: string }).code !== 'SQLITE_LOCKED') throw err;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
  return { busy, walBytes: fileSize(walPath) };
}

export interface WalCheckpointer {
  stop(): void;
  /** One check now (what the timer does). */
  tick(): CheckpointResult | undefined;
}

/** Checkpoints every `intervalMs`, and only when the WAL has grown past `minBytes`. */
export function startWalCheckpointer(
  db: Db,
  walPath: string,
  opts: { intervalMs: number; minBytes?: number; onError?: (err: unknown) => void },
): WalCheckpointer {
  const tick = (): CheckpointResult | undefined => {
    if (fileSize(walPath) < (opts.minBytes ?? 0)) return undefined;
    try {
      return checkpointWal(db, walPath);
    } catch (err) {
      opts.onError?.(err);
      return undefined;
    }
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
