import type { ContainerStatus, Pod } from '../api/types.js';

/** A pod's start or end, each reported once however often its row changes. */
export type PodTransition = { kind: 'started'; latencyMs: number } | { kind: 'ended'; phase: string; reason: string };

/**
 * Turns the kubelet's pod-changed notices (several per pod, some repeated)
 * into one start and one end per pod. Pods are remembered until well after
 * they end, in insertion order, and the oldest forgotten past `capacity`: a
 * repeated notice comes moments after the first, never thousands of pods later.
 */
export class PodTransitions {
  private readonly seen = new Map<string, 'started' | 'ended'>();

  constructor(private readonly capacity = 20_000) {}

  observe(pod: Pod): PodTransition[] {
    const out: PodTransition[] = [];
    let state = this.seen.get(pod.uid);
    if (state === 'ended') return out;
    if (state === undefined) {
      const started = firstStart(pod);
      if (started !== undefined) {
        out.push({ kind: 'started', latencyMs: Math.max(0, started - pod.creationTimestamp) });
        state = 'started';
        this.remember(pod.uid, state);
      }
    }
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
      out.push({ kind: 'ended', phase: pod.status.phase, reason: pod.status.reason ?? '' });
      this.seen.delete(pod.uid);
      this.remember(pod.uid, 'ended');
    }
    return out;
  }

  private remember(uid: string, state: 'started' | 'ended'): void {
    this.seen.set(uid, state);
    if (this.seen.size <= this.capacity) return;
    for (const key of this.seen.keys()) {
      this.seen.delete(key);
      if (this.seen.size <= this.capacity) break;
    }
  }
}

/** When the pod's first container began to run, from its running or ended state. */
function firstStart(pod: Pod): number | undefined {
  let first: number | undefined;
  const consider = (cs: readonly ContainerStatus[]): void => {
    for (const c of cs) {
      for (const s of [c.state, c.lastState]) {
        const at = s?.running?.startedAt ?? s?.terminated?.startedAt;
        if (at !== undefined && (first === undefined || at < first)) first = at;
      }
    }
  };
  consider(pod.status.initContainerStatuses);
  consider(pod.status.containerStatuses);
  return first;
}
