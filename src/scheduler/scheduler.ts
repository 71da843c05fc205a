import type { Pod, PodStatus } from '../api/types.js';
import { firstRunsSpawned } from '../executor/kubelet-recovery.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, listLivePods, putPodStatus } from '../store/pods.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { NodeAllocatable, NodeUsage } from './fit.js';
import { schedulePass, type WaitingPod } from './pass.js';
import { podRequests, type Resources } from './requests.js';
import { errorFields } from '../errors.js';

export const SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  node: NodeAllocatable;
  /** Where the kubelet leaves its run records: a pod it spawned counts as bound even before its status said so. */
  stateDir: string;
  /** Asks the kubelet to look at a pod again: called (never synchronously) for a waiting pod that now fits. */
  wake: (uid: string) => void;
}

interface Admitted {
  group: string;
  request: Resources;
}

interface Waiting extends WaitingPod {
  /** The message last written on the pod, so an unchanged verdict writes nothing. */
  message: string | undefined;
}

/**
 * Admission of pods against this node's allocatable resources, as the
 * Kubernetes scheduler binds pods to a node. The kubelet asks before it starts
 * a pod and tells when one is gone; everything else (who waits, who goes next,
 * what a waiting pod shows) is decided here, on the pure parts in this folder.
 * The admitted set lives in memory and is rebuilt from the store at start.
 */
export class Scheduler {
  private readonly admitted = new Map<string, Admitted>();
  private readonly waiting = new Map<string, Waiting>();
  /** Capacity was freed since the last full pass: waiting pods must be offered it before a newcomer. */
  private dirty = false;
  private passQueued = false;

  constructor(private readonly o: SchedulerOptions) {
    this.rebuild();
  }

  /** How many pods hold capacity, and how many wait for it (for tests and logs). */
  counts(): { admitted: number; waiting: number } {
    return { admitted: this.admitted.size, waiting: this.waiting.size };
  }

  /**
   * The pod as bound to this node, ready to start; undefined while it waits
   * (its status then says why). Asking again for an admitted pod is harmless.
   */
  admit(pod: Pod): Pod | undefined {
    if (this.admitted.has(pod.uid)) return bound(pod);
    const prev = this.waiting.get(pod.uid);
    this.waiting.set(pod.uid, { ...candidate(pod), message: prev?.message ?? unschedulableMessage(pod.status) });
    if (this.dirty) {
      // Older or fairer pods may be waiting for what was freed: everybody gets a turn, in order.
      this.pass(pod.uid);
    } else {
      // Nothing was freed since the last pass, so the pods already waiting still do not fit: only the newcomer may.
      this.passOver([this.waiting.get(pod.uid)!], pod.uid);
    }
    return this.admitted.has(pod.uid) ? bound(pod) : undefined;
  }

  /** The pod has ended or is gone: its capacity goes to the pods waiting for it. */
  release(uid: string): void {
    this.waiting.delete(uid);
    if (!this.admitted.delete(uid) || this.waiting.size === 0) return;
    this.dirty = true;
    if (this.passQueued) return;
    this.passQueued = true;
    // After the kubelet has finished with the pod that ended: never re-entered from inside it.
    setImmediate(() => {
      this.passQueued = false;
      if (this.dirty) this.pass(undefined);
    });
  }

  private usage(): { used: NodeUsage; perGroup: Map<string, number> } {
    const used: NodeUsage = { milliCpu: 0, memory: 0, pods: 0 };
    const perGroup = new Map<string, number>();
    for (const a of this.admitted.values()) {
      used.milliCpu += a.request.milliCpu;
      used.memory += a.request.memory;
      used.pods++;
      perGroup.set(a.group, (perGroup.get(a.group) ?? 0) + 1);
    }
    return { used, perGroup };
  }

  /** A full pass over every waiting pod. `caller` is the pod the kubelet is asking about: it is not woken, it is answered. */
  private pass(caller: string | undefined): void {
    this.dirty = false;
    this.passOver([...this.waiting.values()], caller);
  }

  private passOver(pods: Waiting[], caller: string | undefined): void {
    const { used, perGroup } = this.usage();
    const r = schedulePass(pods, perGroup, used, this.o.node);
    for (const uid of r.admit) {
      const w = this.waiting.get(uid)!;
      this.waiting.delete(uid);
      this.admitted.set(uid, { group: w.group, request: w.request });
      if (uid !== caller) setImmediate(() => this.o.wake(uid));
    }
    for (const [uid, message] of r.unschedulable) {
      const w = this.waiting.get(uid)!;
      if (w.message === message) continue;
      if (this.markUnschedulable(uid, message)) w.message = message;
    }
  }

  /**
   * PodScheduled=False with the reason and one FailedScheduling event, in one
   * transaction; false when the write failed (it is tried again on the next pass).
   */
  private markUnschedulable(uid: string, message: string): boolean {
    const { db, clock } = this.o;
    const now = clock.now();
    try {
      const pod = db.transaction(() => {
        const p = getPod(db, uid);
        // Only a pod nobody started or deleted meanwhile is the scheduler's to describe.
        if (p === undefined || p.status.phase !== 'Pending' || p.deletionTimestamp !== undefined || isBound(p)) return undefined;
        putPodStatus(db, uid, unschedulableStatus(p.status, message, now), now);
        recordEvent(db, { object: { kind: 'Pod', namespace: p.namespace, name: p.name, uid }, type: 'Warning', reason: 'FailedScheduling', message, source: SCHEDULER_NAME }, now);
        return p;
      })();
      if (pod !== undefined) this.o.logger.info('pod unschedulable', { pod: `${pod.namespace}/${pod.name}`, message });
      return true;
    } catch (err) {
      this.o.logger.error('could not record a pod as unschedulable', { pod: uid, ...errorFields(err) });
      return false;
    }
  }

  /** Live pods already bound hold their capacity; live pods never bound wait again, in order. */
  private rebuild(): void {
    const { db, stateDir } = this.o;
    for (const pod of db.transaction(() => listLivePods(db))()) {
      if (isBound(pod) || wasSpawned(stateDir, pod)) {
        const c = candidate(pod);
        this.admitted.set(pod.uid, { group: c.group, request: c.request });
      } else if (pod.deletionTimestamp === undefined) {
        this.waiting.set(pod.uid, { ...candidate(pod), message: unschedulableMessage(pod.status) });
      }
    }
    // The first pod the kubelet asks about triggers a full pass, so nobody jumps the queue after a restart.
    this.dirty = this.waiting.size > 0;
  }
}

function candidate(pod: Pod): WaitingPod {
  return {
    uid: pod.uid,
    group: pod.owner?.uid ?? pod.uid,
    creationTimestamp: pod.creationTimestamp,
    name: pod.name,
    request: podRequests(pod.spec),
  };
}

function scheduled(status: PodStatus): 'True' | 'False' | undefined {
  const c = status.conditions.find((x) => x.type === 'PodScheduled');
  return c?.status === 'True' ? 'True' : c?.status === 'False' ? 'False' : undefined;
}

/** The node has taken the pod: it said so, or something of it ran. */
function isBound(pod: Pod): boolean {
  if (pod.status.phase === 'Running' || scheduled(pod.status) === 'True') return true;
  return [...pod.status.initContainerStatuses, ...pod.status.containerStatuses].some(
    (c) => c.started === true || c.state.running !== undefined || c.state.terminated !== undefined || c.lastState !== undefined,
  );
}

/** A daemon killed between spawning a container and recording it: the pod did start. */
function wasSpawned(stateDir: string, pod: Pod): boolean {
  return firstRunsSpawned(stateDir, pod).length > 0;
}

function unschedulableMessage(status: PodStatus): string | undefined {
  const c = status.conditions.find((x) => x.type === 'PodScheduled' && x.status === 'False');
  return c?.message;
}

/** What an unscheduled pod shows: Pending, PodScheduled=False, and no container statuses yet. */
export function unschedulableStatus(prev: PodStatus, message: string, now: number): PodStatus {
  const before = prev.conditions.find((c) => c.type === 'PodScheduled');
  return {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        // The condition's transition time stays while it stays False; only the message moves.
        lastTransitionTime: before?.status === 'False' ? before.lastTransitionTime : now,
      },
    ],
    initContainerStatuses: [],
    containerStatuses: [],
  };
}

/**
 * The pod as the kubelet should start it. One that waited carries the
 * scheduler's PodScheduled=False: it goes, so the kubelet writes the node's
 * initial status (PodScheduled=True, containers waiting) as for any new pod.
 */
function bound(pod: Pod): Pod {
  if (scheduled(pod.status) !== 'False') return pod;
  return { ...pod, status: { phase: 'Pending', conditions: [], initContainerStatuses: [], containerStatuses: [] } };
}
