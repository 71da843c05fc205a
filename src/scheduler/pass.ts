import { fitPod, type NodeAllocatable, type NodeUsage } from './fit.js';
import { goesBefore, olderFirst, type Candidate, type GroupHead } from './order.js';
import type { Resources } from './requests.js';

export interface WaitingPod extends Candidate {
  request: Resources;
}

export interface PassResult {
  /** Pods admitted by this pass, in the order they were chosen. */
  admit: string[];
  /** Pods that still do not fit, with the scheduler's message. */
  unschedulable: Map<string, string>;
  /** What the admitted pods hold once this pass's choices are added. */
  used: NodeUsage;
}

/**
 * One scheduling pass over every waiting pod: each, in fair order (see
 * order.ts), is admitted if it fits next to what is admitted so far. A pod
 * that does not fit does not block the ones after it, as the scheduler tries
 * every pending pod on its own.
 */
export function schedulePass(
  waiting: readonly WaitingPod[],
  admittedPerGroup: ReadonlyMap<string, number>,
  used: NodeUsage,
  node: NodeAllocatable,
): PassResult {
  const groups = new Map<string, WaitingPod[]>();
  for (const p of waiting) {
    const list = groups.get(p.group);
    if (list === undefined) groups.set(p.group, [p]);
    else list.push(p);
  }
  const queues = [...groups.entries()].map(([group, pods]) => ({ group, pods: pods.sort(olderFirst), next: 0, admitted: admittedPerGroup.get(group) ?? 0 }));
  const result: PassResult = { admit: [], unschedulable: new Map(), used: { ...used } };
  for (;;) {
    let best: (typeof queues)[number] | undefined;
    let bestHead: GroupHead | undefined;
    for (const q of queues) {
      const head = q.pods[q.next];
      if (head === undefined) continue;
      const g = { admitted: q.admitted, head };
      if (bestHead === undefined || goesBefore(g, bestHead)) {
        best = q;
        bestHead = g;
      }
    }
    if (best === undefined) return result;
    const pod = best.pods[best.next++]!;
    const fit = fitPod(pod.request, result.used, node);
    if (fit.fits) {
      result.admit.push(pod.uid);
      result.used = {
        milliCpu: result.used.milliCpu + pod.request.milliCpu,
        memory: result.used.memory + pod.request.memory,
        pods: result.used.pods + 1,
      };
      best.admitted++;
    } else {
      result.unschedulable.set(pod.uid, fit.message);
    }
  }
}
