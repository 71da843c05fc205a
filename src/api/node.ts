import { hostname } from 'node:os';
import type { NodeRef } from './fieldref.js';
import type { Pod } from './types.js';

/**
 * The one node: this machine. Pods are host processes, so they show the host's
 * name and address, as a hostNetwork pod on a cluster shows its node's.
 */
export function localNode(): Required<NodeRef> {
  return { name: hostname(), ip: '127.0.0.1' };
}

/** Bound to the node: a pod still waiting for room (PodScheduled=False) has no node yet. */
export function isScheduled(pod: Pod): boolean {
  return pod.status.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True');
}

/** The pod's node, once it has one. */
export function nodeOf(pod: Pod): Required<NodeRef> | undefined {
  return isScheduled(pod) ? localNode() : undefined;
}
