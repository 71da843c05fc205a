/** True for the errors a write gets when the state folder's filesystem is full. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
  // SQLite reports a failed write of its journal or WAL as an I/O error whose text says why.
  return typeof e.code === 'string' && e.code.startsWith('SQLITE_IOERR') && /disk is full|no space/i.test(String(e.message));
}

export interface DiskFullWatchOptions {
  /** Tries a write that needs space; throws while the disk is still full. */
  probe: (message: string) => void;
  onFull: (message: string) => void;
  onRecovered: () => void;
  probeIntervalMs?: number;
}

/**
 * Turns a write that failed for lack of space into a state the daemon waits
 * out instead of dying: the first failure is reported, a probe write is retried
 * until it succeeds (that write is the record of the outage, e.g. an event),
 * then the daemon is told to catch up.
 */
export class DiskFullWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: DiskFullWatchOptions) {}

  /** True if the error was a full disk and is now being waited out. */
  handle(err: unknown): boolean {
    if (!isDiskFull(err)) return false;
    if (this.timer !== undefined) return true;
    const reason = (err as { message?: unknown }).message;
    const message = `writing the state failed: ${typeof reason === 'string' ? reason : String(err)}`;
    this.o.onFull(message);
    this.timer = setInterval(() => {
      try {
        this.o.probe(`${message}; writes resumed once space was available`);
      } catch (e) {
        if (isDiskFull(e)) return;
        throw e;
      }
      clearInterval(this.timer);
      this.timer = undefined;
      this.o.onRecovered();
    }, this.o.probeIntervalMs ?? 1000);
    this.timer.unref();
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
