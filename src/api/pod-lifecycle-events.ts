import type { ObjectReference, Pod } from './types.js';

/** What has been told about a pod so far: each event is recorded once, on the change that makes it true. */
export interface PodFacts {
  scheduled: boolean;
  /** Per container: the restart count whose start was reported. */
  started: Record<string, number>;
  killing: boolean;
}

export interface LifecycleEvent {
  object: ObjectReference;
  type: 'Normal';
  reason: 'Scheduled' | 'Created' | 'Started' | 'Killing';
  message: string;
  source: 'default-scheduler' | 'kubelet';
}

export const NO_FACTS: PodFacts = { scheduled: false, started: {}, killing: false };

/**
 * The scheduler's and kubelet's events for a pod between two observations, in
 * their words: `Scheduled` (Successfully assigned ns/pod to node), `Created`
 * and `Started` for each container start (restarts too), `Killing` when a
 * running pod is deleted. Pure: the caller records them and keeps the facts.
 */
export function podLifecycleEvents(before: PodFacts, pod: Pod, node: string): { facts: PodFacts; events: LifecycleEvent[] } {
  const object: ObjectReference = { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid };
  const events: LifecycleEvent[] = [];
  const facts: PodFacts = { scheduled: before.scheduled, started: { ...before.started }, killing: before.killing };
  const event = (reason: LifecycleEvent['reason'], message: string, source: LifecycleEvent['source'] = 'kubelet'): void => {
    events.push({ object, type: 'Normal', reason, message, source });
  };
  if (!facts.scheduled && pod.status.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True')) {
    facts.scheduled = true;
    event('Scheduled', `Successfully assigned ${pod.namespace}/${pod.name} to ${node}`, 'default-scheduler');
  }
  // Init containers first, in their order, as the kubelet starts them.
  for (const c of [...pod.status.initContainerStatuses, ...pod.status.containerStatuses]) {
    const began = c.state.running !== undefined || c.state.terminated?.startedAt !== undefined;
    if (!began || facts.started[c.name] === c.restartCount) continue;
    facts.started[c.name] = c.restartCount;
    event('Created', `Created container: ${c.name}`);
    event('Started', `Started container ${c.name}`);
  }
  const terminal = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  if (!facts.killing && pod.deletionTimestamp !== undefined && !terminal) {
    facts.killing = true;
    for (const c of [...pod.status.initContainerStatuses, ...pod.status.containerStatuses]) {
      if (c.state.running !== undefined) event('Killing', `Stopping container ${c.name}`);
    }
  }
  return { facts, events };
}
