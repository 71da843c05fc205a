import { type Resources } from './requests.js';

/** What the node offers to pods: its allocatable CPU (millicores), memory (bytes), and pod count. */
export interface NodeAllocatable {
  milliCpu: number;
  memory: number;
  pods: number;
}

/** What the admitted pods hold of it. */
export interface NodeUsage {
  milliCpu: number;
  memory: number;
  pods: number;
}

export type FitResult =
  | { fits: true }
  | {
      fits: false;
      /** The scheduler's reasons, as its filter names them (`Insufficient cpu`, `Too many pods`). */
      reasons: string[];
      /** The request exceeds the whole node: no amount of waiting makes it fit. */
      unresolvable: boolean;
      message: string;
    };

/**
 * Whether a pod with this request fits next to the admitted pods. As the
 * scheduler's resource filter, a pod that requests nothing skips the resource
 * checks, but never the pod count.
 */
export function fitPod(request: Resources, used: NodeUsage, node: NodeAllocatable): FitResult {
  const reasons: string[] = [];
  let unresolvable = false;
  if (used.pods + 1 > node.pods) reasons.push('Too many pods');
  if (request.milliCpu > 0 && request.milliCpu > node.milliCpu - used.milliCpu) {
    reasons.push('Insufficient cpu');
    unresolvable ||= request.milliCpu > node.milliCpu;
  }
  if (request.memory > 0 && request.memory > node.memory - used.memory) {
    reasons.push('Insufficient memory');
    unresolvable ||= request.memory > node.memory;
  }
  if (reasons.length === 0) return { fits: true };
  return { fits: false, reasons, unresolvable, message: unschedulableMessage(reasons, unresolvable) };
}

/**
 * The scheduler's FitError text for a one-node cluster: the filter reasons
 * counted and sorted, then what preemption found. gitjobs has no priorities,
 * so there is never a victim; for a pod larger than the node, preemption could
 * not help at all. The doubled final period is Kubernetes' own.
 */
export function unschedulableMessage(reasons: readonly string[], unresolvable: boolean): string {
  const counted = reasons.map((r) => `1 ${r}`).sort();
  const preemption = unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod';
  return `0/1 nodes are available: ${counted.join(', ')}. preemption: 0/1 nodes are available: 1 ${preemption}..`;
}
