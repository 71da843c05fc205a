import { describe, expect, it } from 'vitest';
import { NO_FACTS, podLifecycleEvents } from '../../src/api/pod-lifecycle-events.js';
import type { ContainerStatus, Pod } from '../../src/api/types.js';

const base = {
  uid: 'u1',
  namespace: 'default',
  name: 'pi-abc',
  status: { phase: 'Pending', conditions: [], containerStatuses: [], initContainerStatuses: [] },
} as unknown as Pod;

const running = (name: string, restartCount = 0): ContainerStatus => ({ name, ready: true, restartCount, state: { running: { startedAt: 1 } } });
const with_ = (patch: Partial<Pod['status']>, extra: Partial<Pod> = {}): Pod => ({ ...base, ...extra, status: { ...base.status, ...patch } });

describe('podLifecycleEvents', () => {
  it('tells each step once: scheduled, each container created and started, killed when deleted running', () => {
    const scheduled = with_({ conditions: [{ type: 'PodScheduled', status: 'True' } as never] });
    const a = podLifecycleEvents(NO_FACTS, scheduled, 'node1');
    expect(a.events.map((e) => [e.reason, e.source, e.message])).toEqual([['Scheduled', 'default-scheduler', 'Successfully assigned default/pi-abc to node1']]);
    expect(podLifecycleEvents(a.facts, scheduled, 'node1').events).toEqual([]);

    const started = with_({ ...scheduled.status, phase: 'Running', initContainerStatuses: [{ ...running('init'), state: { terminated: { exitCode: 0, startedAt: 1, finishedAt: 2, reason: 'Completed', message: '' } } }], containerStatuses: [running('main')] });
    const b = podLifecycleEvents(a.facts, started, 'node1');
    expect(b.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['Created: Created container: init', 'Started: Started container init', 'Created: Created container: main', 'Started: Started container main']);
    expect(podLifecycleEvents(b.facts, started, 'node1').events).toEqual([]);

    const restarted = with_({ ...started.status, containerStatuses: [running('main', 1)] });
    expect(podLifecycleEvents(b.facts, restarted, 'node1').events.map((e) => e.reason)).toEqual(['Created', 'Started']);

    const deleting = with_(started.status, { deletionTimestamp: 5 });
    const c = podLifecycleEvents(b.facts, deleting, 'node1');
    expect(c.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['Killing: Stopping container main']);
    expect(podLifecycleEvents(c.facts, deleting, 'node1').events).toEqual([]);
  });

  it('says nothing of a pod that waits for room or ended before it was deleted', () => {
    expect(podLifecycleEvents(NO_FACTS, with_({ conditions: [{ type: 'PodScheduled', status: 'False' } as never] }), 'n').events).toEqual([]);
    const ended = with_({ phase: 'Succeeded' }, { deletionTimestamp: 5 });
    expect(podLifecycleEvents(NO_FACTS, ended, 'n').events).toEqual([]);
  });
});
