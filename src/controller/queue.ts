/**
 * A work queue of keys, as client-go's: adding a key that is already waiting is
 * a no-op, a delayed add keeps the earliest time, and a key is never handled
 * twice at once. Adds made in the same tick are drained together, which batches
 * the bursts of pod changes a busy Job produces.
 */
import { FailureBackoff } from './rate-limit.js';

/** setTimeout's ceiling (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class WorkQueue {
  private readonly ready = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private scheduled = false;
  private shuttingDown = false;
  private draining = false;

  constructor(
    private readonly handle: (key: string) => void,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly now: () => number = Date.now,
    private readonly backoff: FailureBackoff = new FailureBackoff(),
  ) {}

  /** Requeues a key whose handling failed, after its own exponential back-off. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.backoff.when(key));
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    const d = this.delayed.get(key);
    if (d) {
      clearTimeout(d.timer);
      this.delayed.delete(key);
    }
    this.ready.add(key);
    this.schedule();
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    if (this.ready.has(key)) return;
    const at = this.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    // Node fires a longer timeout at once; a key due later is looked at then and requeues itself for the rest.
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, Math.min(ms, MAX_TIMEOUT_MS));
    this.delayed.set(key, { at, timer });
  }

  get length(): number {
    return this.ready.size;
  }

  /** Keys waiting for their requeue time. */
  get delayedLength(): number {
    return this.delayed.size;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    this.ready.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    this.draining = true;
    // Only the keys waiting now: keys added while handling wait for the next
    // turn of the event loop, so process exits and file events are not starved.
    const batch = [...this.ready];
    this.ready.clear();
    try {
      for (const key of batch) {
        if (this.shuttingDown) break;
        try {
          this.handle(key);
          this.backoff.forget(key);
        } catch (err) {
          this.onError(key, err);
        }
      }
    } finally {
      this.draining = false;
      if (this.ready.size > 0) this.schedule();
    }
  }
}
