import type { Pod, PodStatus } from '../api/types.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, putPodStatus } from '../store/pods.js';
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

  /** Writes the status in a transaction of its own. */
  write(uid: string, status: PodStatus): void {
    this.db.transaction(() => putPodStatus(this.db, uid, status, this.clock.now()))();
    this.written(uid);
  }

  /** Writes the status and tells the controller. */
  commit(pod: Pod, status: PodStatus): void {
    this.write(pod.uid, status);
    this.notify(pod.uid);
  }

  /** Commits, unless containers of the pod are still being started: their start commits it all. */
  save(pod: Pod, status: PodStatus, starting: boolean): void {
    if (starting) this.unsaved.set(pod.uid, status);
    else this.commit(pod, status);
  }

  /** Keeps a status whose write failed, so what follows builds on it. */
  hold(uid: string, status: PodStatus): void {
    this.unsaved.set(uid, status);
  }

  /** The caller's own transaction wrote the pod's status. */
  written(uid: string): void {
    this.unsaved.delete(uid);
  }

  forget(uid: string): void {
    this.unsaved.delete(uid);
  }

  /** Tells the controller that the pod's row changed. */
  notify(uid: string): void {
    const pod = getPod(this.db, uid);
    if (pod !== undefined) this.onChange(pod);
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
