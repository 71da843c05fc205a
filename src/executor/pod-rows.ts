import { isPodTerminal } from '../api/pods.js';
import type { Pod, PodStatus } from '../api/types.js';
import { withPodCondition } from './pod/status.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, putPodStatus, recordContainerTermination, type ContainerTermination } from '../store/pods.js';
import type { Clock } from '../util/clock.js';

/**
 * The kubelet's reads and writes of pod rows. A pod whose containers are
 * being started keeps its newest status here, unwritten, until they run: one
 * transaction then, instead of one before the spawn and one after.
 */
export class PodRows {
  private readonly unsaved = new Map<string, PodStatus>();

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
   * pod's status, in one transaction. With `hold` (runs of the pod are being
   * started) the status is kept instead, and their start writes it. True when
   * the status was written.
   */
  put(uid: string, status: PodStatus, terminations: readonly ContainerTermination[], hold: boolean): boolean {
    const now = this.clock.now();
    if (hold && terminations.length > 0) this.db.transaction(() => this.record(uid, terminations))();
    if (hold) {
      this.unsaved.set(uid, status);
      return false;
    }
    this.db.transaction(() => {
      this.record(uid, terminations);
      putPodStatus(this.db, uid, status, now);
    })();
    this.unsaved.delete(uid);
    return true;
  }

  private record(uid: string, terminations: readonly ContainerTermination[]): void {
    for (const t of terminations) recordContainerTermination(this.db, uid, t);
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

  /** Marks a pod stopped on purpose while its Job still wants it, as the eviction API does: `onPodConditions` rules match it. */
  disrupt(uid: string, reason: string, message: string): void {
    const pod = this.load(uid);
    if (pod === undefined || isPodTerminal(pod)) return;
    this.put(uid, withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.clock.now()), [], false);
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
