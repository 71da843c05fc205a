import { observeCommits } from './commits.js';
import type { Db } from './db.js';

/**
 * Tells watchers that something committed, so they read the change log then
 * and only then: no polling, and an idle daemon costs its watchers nothing.
 * Fires once per turn of the event loop however many transactions committed.
 */
export class ChangeNotifier {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  constructor(db: Db) {
    observeCommits(db, () => this.committed());
  }

  /** Calls `listener` after commits until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private committed(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch {
          // A watcher's failure is its own; the others still hear of the commit.
        }
      }
    });
  }
}
