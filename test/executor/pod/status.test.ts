import { describe, expect, it } from 'vitest';
import type { ContainerStateTerminated, Pod, PodStatus } from '../../../src/api/types.js';
import {
  containerStarted,
  containerTerminated,
  initialPodStatus,
  podFinished,
  podInitialized,
  withPodCondition,
} from '../../../src/executor/pod/status.js';
import { barePod, container } from '../../helpers/builders.js';

// The pod status the node reports, transition by transition, as kubectl then shows it.

const c = (name: string, restartPolicy?: 'Always') => container(name, restartPolicy ? { restartPolicy } : {});
const pod = (inits: ReturnType<typeof c>[] = []): Pod => barePod({ initContainers: inits, name: 'p', uid: 'u' });
const exit = (code: number, at = 5): ContainerStateTerminated => ({ exitCode: code, reason: code === 0 ? 'Completed' : 'Error', finishedAt: at });
const cond = (s: PodStatus, type: string) => s.conditions.find((x) => x.type === type);

describe('pod status with init containers', () => {
  it('a pod with init containers starts not Initialized, its containers waiting for them', () => {
    const s = initialPodStatus(pod([c('setup')]), 1);
    expect(cond(s, 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
    expect(s.initContainerStatuses[0]?.state.waiting?.reason).toBe('PodInitializing');
    expect(s.containerStatuses[0]?.state.waiting?.reason).toBe('PodInitializing');
  });

  it('a pod without init containers is Initialized from the start', () => {
    const s = initialPodStatus(pod(), 1);
    expect(cond(s, 'Initialized')?.status).toBe('True');
    expect(s.containerStatuses[0]?.state.waiting?.reason).toBe('ContainerCreating');
  });

  it('an init container running keeps the pod Pending; a main container makes it Running', () => {
    const p = pod([c('setup')]);
    let s = containerStarted(initialPodStatus(p, 1), 'setup', 2);
    expect(s.phase).toBe('Pending');
    expect(s.startTime).toBe(2);
    s = podInitialized(containerTerminated(s, 'setup', exit(0, 3), 3), 3);
    expect(cond(s, 'Initialized')?.status).toBe('True');
    s = containerStarted(s, 'main', 4);
    expect(s.phase).toBe('Running');
    expect(s.startTime).toBe(2);
  });
});

describe('podFinished', () => {
  const cases: Record<string, { status: (p: Pod) => PodStatus; failed?: boolean; phase: string }> = {
    'main containers all exited 0: Succeeded': {
      status: (p) => containerTerminated(containerStarted(initialPodStatus(p, 1), 'main', 1), 'main', exit(0), 5),
      phase: 'Succeeded',
    },
    'a sidecar killed with 143 does not fail the pod': {
      status: (p) =>
        containerTerminated(
          containerTerminated(containerStarted(containerStarted(podInitialized(initialPodStatus(p, 1), 1), 'proxy', 1), 'main', 1), 'main', exit(0), 5),
          'proxy',
          exit(143),
          6,
        ),
      phase: 'Succeeded',
    },
    'a main container that failed: Failed': {
      status: (p) => containerTerminated(containerStarted(initialPodStatus(p, 1), 'main', 1), 'main', exit(1), 5),
      phase: 'Failed',
    },
    'the deadline fails a pod whatever its containers returned': {
      status: (p) => containerTerminated(containerStarted(initialPodStatus(p, 1), 'main', 1), 'main', exit(0), 5),
      failed: true,
      phase: 'Failed',
    },
  };
  for (const [name, k] of Object.entries(cases)) {
    it(name, () => {
      const p = pod([c('proxy', 'Always')]);
      expect(podFinished(k.status(p), 9, k.failed ? { failed: true } : {}).phase).toBe(k.phase);
    });
  }

  it('containers of a pod whose init container failed keep waiting, as kubectl shows Init:Error', () => {
    const p = pod([c('setup')]);
    const s = podFinished(containerTerminated(containerStarted(initialPodStatus(p, 1), 'setup', 1), 'setup', exit(3), 2), 3, { failed: true });
    expect(s.phase).toBe('Failed');
    expect(s.initContainerStatuses[0]?.state.terminated?.exitCode).toBe(3);
    expect(s.containerStatuses[0]?.state.waiting?.reason).toBe('PodInitializing');
  });

  it('records the reason and message of a deadline', () => {
    const p = pod();
    const s = podFinished(containerStarted(initialPodStatus(p, 1), 'main', 1), 9, {
      failed: true,
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    expect(s).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(s.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });
});

describe('DisruptionTarget', () => {
  it('is added True with its reason and message, and kept to the end of the pod', () => {
    const p = pod();
    const s = withPodCondition(containerStarted(initialPodStatus(p, 1), 'main', 1), 'DisruptionTarget', 'EvictionByEvictionAPI', 'Eviction API: evicting', 4);
    const end = podFinished(containerTerminated(s, 'main', exit(143), 5), 6);
    expect(cond(end, 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    expect(end.phase).toBe('Failed');
  });
});
