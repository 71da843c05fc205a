import { isPodTerminal } from '../api/pods.js';
import type { Pod, PodStatus } from '../api/types.js';
import { withPodCondition } from './pod/status.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, putPodStatus, recordContainerTermination, type ContainerTermination } from '../store/pods.js';
import type { Clock } from '../util/clock.js';

/** What follows a queued write: `written` once it is committed, `failed` if the commit failed (a full disk). */
export interface AfterWrite {
  written?: () => void;
  failed?: (err: unknown) => void;
}

interface Queued {
  /** Undefined while only container ends are to be written (the status is held). */
  status: PodStatus | undefined;
  ends: ContainerTermination[];
  after: AfterWrite[];
}

/**
 * The kubelet's reads and writes of pod rows. Writes are queued and committed
 * together at the end of the event loop's turn (group commit): the starts and
 * ends that a launcher reply or a burst of exits brings are one transaction,
 * and a page of the pods table is written once for all of them, not once per
 * pod. Nothing that depends on a write happens before it commits: `written`
 * runs after the commit, and the controller is told then. A write lost to a
 * kill before its commit is found again from the run records after restart,
 * as a kill just before a synchronous write would have been.
 *
 * A pod whose containers are being started keeps its newest status here,
 * unwritten, until they run: one write then, instead of one before the spawn
 * and one after.
 */
export class PodRows {
  private readonly unsaved = new Map<string, PodStatus>();
  private readonly queue = new Map<string, Queued>();
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Told after every committed change of a pod's status. */
    private readonly onChange: (pod: Pod) => void,
  ) {}

  /** The pod as the kubelet sees it: its row, with the status not yet written. */
  load(uid: string): Pod | undefined {
    const pod = getPod(this.db, uid);
    const unsaved = this.unsaved.get(uid);
    return pod === undefined || unsaved === undefined ? pod : { ...pod, status: unsaved };
  }

  /**
   * The kubelet's one write of a pod: the container ends it records and the
   * pod's status, queued for this turn's commit. With `hold` (runs of the pod
   * are being started) the status is kept instead, and their start writes it;
   * the ends are written all the same.
   */
  put(uid: string, status: PodStatus, terminations: readonly ContainerTermination[], hold: boolean, after: AfterWrite = {}): void {
    this.unsaved.set(uid, status);
    let q = this.queue.get(uid);
    if (q === undefined) {
      q = { status: undefined, ends: [], after: [] };
      this.queue.set(uid, q);
    }
    if (!hold) q.status = status;
    q.ends.push(...terminations);
    q.after.push(after);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Commits every queued write in one transaction, then runs what waited on
   * them, in the order they were queued. If that commit fails, each write is
   * tried alone, so one that cannot be written (a full disk fails them all)
   * does not take the others with it; one that fails keeps its status held
   * and hears `failed`.
   */
  flush(): void {
    this.scheduled = false;
    if (this.queue.size === 0) return;
    const batch = [...this.queue];
    this.queue.clear();
    const now = this.clock.now();
    const failed = new Map<string, unknown>();
    try {
      this.db.transaction(() => {
        for (const [uid, q] of batch) this.write(uid, q, now);
      })();
    } catch {
      for (const [uid, q] of batch) {
        try {
          this.db.transaction(() => this.write(uid, q, now))();
        } catch (err) {
          failed.set(uid, err);
        }
      }
    }
    for (const [uid, q] of batch) {
      if (failed.has(uid)) {
        for (const a of q.after) a.failed?.(failed.get(uid));
        continue;
      }
      // Written and not held again since: the row says it now.
      if (q.status !== undefined && this.unsaved.get(uid) === q.status) this.unsaved.delete(uid);
      for (const a of q.after) a.written?.();
    }
  }

  private write(uid: string, q: Queued, now: number): void {
    for (const t of q.ends) recordContainerTermination(this.db, uid, t);
    if (q.status !== undefined) putPodStatus(this.db, uid, q.status, now);
  }

  /** Keeps a status whose write failed, so what follows builds on it. */
  hold(uid: string, status: PodStatus): void {
    this.unsaved.set(uid, status);
  }

  forget(uid: string): void {
    this.unsaved.delete(uid);
  }

  /** Tells the controller that the pod's row changed. */
  notify(uid: string): void {
    const pod = getPod(this.db, uid);
    if (pod !== undefined) this.onChange(pod);
  }

  /**
   * Marks a pod stopped on purpose while its Job still wants it, as the
   * eviction API does: `onPodConditions` rules match it. Committed before this
   * returns, since the deletion that follows and its answer build on it.
   */
  disrupt(uid: string, reason: string, message: string): void {
    const pod = this.load(uid);
    if (pod === undefined || isPodTerminal(pod)) return;
    this.put(uid, withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.clock.now()), [], false);
    this.flush();
  }

  /** A Warning event on the pod, from the kubelet. */
  warn(pod: Pod, reason: string, message: string): void {
    try {
      this.db.transaction(() =>
        recordEvent(this.db, { object: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid }, type: 'Warning', reason, message, source: 'kubelet' }, this.clock.now()),
      )();
    } catch {
      // an event lost to a full disk; the pod's status still says it
    }
  }
}
