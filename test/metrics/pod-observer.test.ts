import { describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/api/types.js';
import { PodTransitions } from '../../src/metrics/pod-observer.js';

function pod(uid: string, status: Partial<PodStatus>): Pod {
  return {
    uid,
    namespace: 'default',
    name: uid,
    labels: {},
    annotations: {},
    creationTimestamp: 1000,
    trackingFinalizer: true,
    spec: {} as Pod['spec'],
    status: { phase: 'Pending', conditions: [], initContainerStatuses: [], containerStatuses: [], ...status },
  };
}

const running = (at: number) => [{ name: 'c', state: { running: { startedAt: at } }, ready: true, restartCount: 0 }];
const ended = (at: number) => [{ name: 'c', state: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at + 5 } }, ready: false, restartCount: 0 }];

describe('PodTransitions', () => {
  it('reports a start once, with its latency from creation, and an end once, however often the pod is reported', () => {
    const t = new PodTransitions();
    expect(t.observe(pod('a', {}))).toEqual([]);
    expect(t.observe(pod('a', { phase: 'Running', containerStatuses: running(1250) }))).toEqual([{ kind: 'started', latencyMs: 250 }]);
    expect(t.observe(pod('a', { phase: 'Running', containerStatuses: running(1250) }))).toEqual([]);
    const done = pod('a', { phase: 'Failed', reason: 'DeadlineExceeded', containerStatuses: ended(1250) });
    expect(t.observe(done)).toEqual([{ kind: 'ended', phase: 'Failed', reason: 'DeadlineExceeded' }]);
    expect(t.observe(done)).toEqual([]);
  });

  it('counts a pod first seen ended as started and ended', () => {
    const t = new PodTransitions();
    expect(t.observe(pod('b', { phase: 'Succeeded', containerStatuses: ended(1100) }))).toEqual([
      { kind: 'started', latencyMs: 100 },
      { kind: 'ended', phase: 'Succeeded', reason: '' },
    ]);
  });

  it('counts an end without a start for a pod whose container never ran', () => {
    expect(new PodTransitions().observe(pod('c', { phase: 'Failed', reason: 'StartError' }))).toEqual([{ kind: 'ended', phase: 'Failed', reason: 'StartError' }]);
  });

  it('forgets the oldest pods past its capacity', () => {
    const t = new PodTransitions(2);
    for (const uid of ['a', 'b', 'c']) t.observe(pod(uid, { phase: 'Succeeded' }));
    expect(t.observe(pod('a', { phase: 'Succeeded' }))).toHaveLength(1);
    expect(t.observe(pod('c', { phase: 'Succeeded' }))).toEqual([]);
  });
});
