import { localNode } from '../api/node.js';
import { isPodGone } from '../api/pods.js';
import { NO_FACTS, podLifecycleEvents, type PodFacts } from '../api/pod-lifecycle-events.js';
import type { ChangeNotifier } from '../store/change-notifier.js';
import { changesSince, currentResourceVersion } from '../store/changes.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, listPods } from '../store/pods.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/**
 * Records the scheduler's and kubelet's pod events (Scheduled, Created,
 * Started, Killing) from the pods' change log, so `describe pod` and `get
 * events` show them as on a cluster. It reads what the executor committed and
 * writes events only: the executor is not involved.
 */
export class PodEventRecorder {
  private readonly facts = new Map<string, PodFacts>();
  private rv = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly node = localNode().name;

  constructor(
    private readonly db: Db,
    private readonly notifier: ChangeNotifier,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** What happened before this start was told (or lost) by the daemon before: only what changes from now on is recorded. */
  start(): void {
    this.resync();
    this.unsubscribe = this.notifier.subscribe(() => this.catchUp());
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private resync(): void {
    this.rv = currentResourceVersion(this.db);
    this.facts.clear();
    for (const pod of listPods(this.db)) this.facts.set(pod.uid, podLifecycleEvents(NO_FACTS, pod, this.node).facts);
  }

  private catchUp(): void {
    try {
      for (;;) {
        const changes = changesSince(this.db, this.rv, ['pods'], 1000);
        if (changes.length === 0) return;
        this.rv = changes[changes.length - 1]!.rv;
        const uids = new Set(changes.map((c) => c.uid));
        this.db.transaction(() => {
          for (const uid of uids) this.observe(uid);
        })();
      }
    } catch (err) {
      // Behind the kept window (or a failed write): start again from now rather than report twice.
      this.logger.warn('pod events resynced', { error: err instanceof Error ? err.message : String(err) });
      this.resync();
    }
  }

  private observe(uid: string): void {
    const pod = getPod(this.db, uid);
    if (pod === undefined || isPodGone(pod)) {
      this.facts.delete(uid);
      return;
    }
    const { facts, events } = podLifecycleEvents(this.facts.get(uid) ?? NO_FACTS, pod, this.node);
    this.facts.set(uid, facts);
    const now = this.clock.now();
    for (const e of events) recordEvent(this.db, e, now);
  }
}
