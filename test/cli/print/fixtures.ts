// Builders for the Jobs, pods and events the printer tests describe.

import type { ContainerStatus, Job, JobStatus, KubeEvent, Pod } from '../../../src/api/types.js';

export const UID = 'c9948307-e56d-4b5d-8302-ae2d7b7da67c';
export const T0 = Date.UTC(2019, 11, 2, 13, 20, 0); // creation of the seed's `pi` Job
export const sec = (n: number): number => n * 1000;

export function piJob(overrides: Partial<Job> = {}, specOverrides: Partial<Job['spec']> = {}): Job {
  const labels = {
    'batch.kubernetes.io/controller-uid': UID,
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': UID,
    'job-name': 'pi',
  };
  return {
    uid: UID,
    namespace: 'default',
    name: 'pi',
    labels,
    annotations: {},
    creationTimestamp: T0,
    generation: 1,
    specHash: 'h',
    origin: { kind: 'dir', source: '/srv/jobs', path: 'pi.yaml', line: 1 },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 4,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      podReplacementPolicy: 'TerminatingOrFailed',
      template: {
        metadata: { labels, annotations: {} },
        spec: {
          containers: [
            {
              name: 'pi',
              image: 'perl:5.34.0',
              command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'],
              args: [],
              env: [],
            },
          ],
          initContainers: [],
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 30,
        },
      },
      ...specOverrides,
    },
    ...overrides,
  };
}

export function status(overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    conditions: [],
    active: 0,
    ready: 0,
    terminating: 0,
    succeeded: 0,
    failed: 0,
    completedIndexes: '',
    ...overrides,
  };
}

export function completedStatus(start: number, end: number): JobStatus {
  const cond = (type: 'SuccessCriteriaMet' | 'Complete') => ({
    type,
    status: 'True' as const,
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
    lastProbeTime: end,
    lastTransitionTime: end,
  });
  return status({ startTime: start, completionTime: end, succeeded: 1, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] });
}

export function container(overrides: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'pi', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0, ...overrides };
}

export function piPod(name: string, overrides: Partial<Pod> = {}, statusOverrides: Partial<Pod['status']> = {}): Pod {
  const job = piJob();
  return {
    uid: `uid-${name}`,
    namespace: 'default',
    name,
    labels: { ...job.spec.template.metadata.labels },
    annotations: {},
    owner: { uid: UID, name: 'pi' },
    creationTimestamp: T0 + sec(1),
    trackingFinalizer: true,
    spec: job.spec.template.spec,
    status: {
      phase: 'Pending',
      conditions: [],
      initContainerStatuses: [],
      containerStatuses: [container()],
      ...statusOverrides,
    },
    ...overrides,
  };
}

export function event(overrides: Partial<KubeEvent> = {}): KubeEvent {
  return {
    involvedObject: { kind: 'Job', namespace: 'default', name: 'pi', uid: UID },
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message: 'Created pod: pi-5rwd7',
    source: 'job-controller',
    firstTimestamp: T0 + sec(1),
    lastTimestamp: T0 + sec(1),
    count: 1,
    ...overrides,
  };
}
