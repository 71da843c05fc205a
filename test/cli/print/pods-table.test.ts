import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/api/types.js';
import { podColumns, printPodsTable } from '../../../src/cli/print/pods-table.js';
import { container, piJob, piPod, sec, T0 } from './fixtures.js';

const now = T0 + sec(15);
const running = { running: { startedAt: T0 + sec(2) } };
const terminated = (exitCode: number, reason: string, signal?: number) => ({
  terminated: { exitCode, reason, signal, startedAt: T0 + sec(2), finishedAt: T0 + sec(10) },
});

const withInit = (p: Pod): Pod => ({
  ...p,
  spec: {
    ...p.spec,
    initContainers: [{ name: 'setup', command: ['true'], args: [], env: [] }, { name: 'seed', command: ['true'], args: [], env: [] }],
  },
});

describe('pod STATUS, READY and RESTARTS', () => {
  it.each<[string, Pod, string, string]>([
    ['waiting to start', piPod('a'), 'ContainerCreating', '0/1'],
    ['pending with no container status', piPod('a', {}, { containerStatuses: [] }), 'Pending', '0/1'],
    ['running and ready', piPod('a', {}, { phase: 'Running', containerStatuses: [container({ state: running, ready: true })] }), 'Running', '1/1'],
    ['completed', piPod('a', {}, { phase: 'Succeeded', containerStatuses: [container({ state: terminated(0, 'Completed') })] }), 'Completed', '0/1'],
    ['failed with the runtime reason', piPod('a', {}, { phase: 'Failed', containerStatuses: [container({ state: terminated(1, 'Error') })] }), 'Error', '0/1'],
    ['terminated without reason shows the exit code', piPod('a', {}, { phase: 'Failed', containerStatuses: [container({ state: terminated(3, '') })] }), 'ExitCode:3', '0/1'],
    ['terminated by a signal without reason', piPod('a', {}, { phase: 'Failed', containerStatuses: [container({ state: terminated(137, '', 9) })] }), 'Signal:9', '0/1'],
    ['crash looping', piPod('a', {}, { phase: 'Running', containerStatuses: [container({ state: { waiting: { reason: 'CrashLoopBackOff' } } })] }), 'CrashLoopBackOff', '0/1'],
    ['pod-level reason wins over the phase', piPod('a', {}, { phase: 'Failed', reason: 'DeadlineExceeded', containerStatuses: [] }), 'DeadlineExceeded', '0/1'],
    ['deleted while running', piPod('a', { deletionTimestamp: T0 + sec(12) }, { phase: 'Running', containerStatuses: [container({ state: running, ready: true })] }), 'Terminating', '1/1'],
    ['deleted after finishing keeps its outcome', piPod('a', { deletionTimestamp: T0 + sec(12) }, { phase: 'Failed', containerStatuses: [container({ state: terminated(143, 'Error') })] }), 'Error', '0/1'],
    [
      'completed container beside a running one',
      {
        ...piPod('a', {}, {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T0 }],
          containerStatuses: [container({ name: 'main', state: running, ready: true }), container({ name: 'side', state: terminated(0, 'Completed') })],
        }),
        spec: { ...piJob().spec.template.spec, containers: [{ name: 'main', command: [], args: [], env: [] }, { name: 'side', command: [], args: [], env: [] }] },
      },
      'Running',
      '1/2',
    ],
    ['second init container running', withInit(piPod('a', {}, { initContainerStatuses: [container({ name: 'setup', state: terminated(0, 'Completed') }), container({ name: 'seed', state: running })] })), 'Init:1/2', '0/1'],
    ['init container failed with reason', withInit(piPod('a', {}, { initContainerStatuses: [container({ name: 'setup', state: terminated(1, 'Error') })] })), 'Init:Error', '0/1'],
    ['init container failed without reason', withInit(piPod('a', {}, { initContainerStatuses: [container({ name: 'setup', state: terminated(2, '') })] })), 'Init:ExitCode:2', '0/1'],
    ['init container killed without reason', withInit(piPod('a', {}, { initContainerStatuses: [container({ name: 'setup', state: terminated(137, '', 9) })] })), 'Init:Signal:9', '0/1'],
    ['init container crash looping', withInit(piPod('a', {}, { initContainerStatuses: [container({ name: 'setup', state: { waiting: { reason: 'CrashLoopBackOff' } } })] })), 'Init:CrashLoopBackOff', '0/1'],
  ])('%s', (_name, pod, expectedStatus, expectedReady) => {
    const cols = podColumns(pod, now);
    expect(cols.status).toBe(expectedStatus);
    expect(cols.ready).toBe(expectedReady);
  });

  it('shows restarts with the age of the last one', () => {
    const pod = piPod('a', {}, {
      phase: 'Running',
      containerStatuses: [container({ state: running, ready: true, restartCount: 2, lastState: terminated(1, 'Error') })],
    });
    expect(podColumns(pod, T0 + sec(70)).restarts).toBe('2 (60s ago)');
  });

  it('shows a bare count when the last restart time is unknown', () => {
    const pod = piPod('a', {}, { phase: 'Running', containerStatuses: [container({ state: running, ready: true, restartCount: 1 })] });
    expect(podColumns(pod, now).restarts).toBe('1');
  });
});

describe('printPodsTable', () => {
  const pods = [
    piPod('pi-5rwd7', {}, { phase: 'Succeeded', containerStatuses: [container({ state: terminated(0, 'Completed') })] }),
    piPod('pi-x7k2p', { creationTimestamp: T0 + sec(10) }, { phase: 'Running', containerStatuses: [container({ state: running, ready: true })] }),
  ];

  it('prints kubectl get pods', () => {
    expect(printPodsTable(pods, now)).toBe(
      [
        'NAME       READY   STATUS      RESTARTS   AGE',
        'pi-5rwd7   0/1     Completed   0          14s',
        'pi-x7k2p   1/1     Running     0          5s',
        '',
      ].join('\n'),
    );
  });

  it('adds IP, NODE (this host, once the pod is bound), NOMINATED NODE and READINESS GATES with -o wide', () => {
    const bound = { ...pods[0]!, status: { ...pods[0]!.status, conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now } as never] } };
    const waiting = { ...pods[1]!, status: { ...pods[1]!.status, conditions: [] } };
    expect(printPodsTable([bound, waiting], now, { wide: true })).toBe(
      [
        `NAME       READY   STATUS      RESTARTS   AGE   IP          NODE${' '.repeat(Math.max(hostname().length, 6) - 4)}   NOMINATED NODE   READINESS GATES`,
        `pi-5rwd7   0/1     Completed   0          14s   127.0.0.1   ${hostname().padEnd(6)}   <none>           <none>`,
        `pi-x7k2p   1/1     Running     0          5s    <none>      ${'<none>'.padEnd(hostname().length)}   <none>           <none>`,
        '',
      ].join('\n'),
    );
  });

  it('appends LABELS with --show-labels', () => {
    const pod = { ...pods[1]!, labels: { 'job-name': 'pi', app: 'calc' } };
    expect(printPodsTable([pod], now, { showLabels: true, noHeaders: true })).toBe(
      'pi-x7k2p   1/1   Running   0     5s    app=calc,job-name=pi\n',
    );
  });
});
