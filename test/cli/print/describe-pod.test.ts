import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePod } from '../../../src/cli/print/describe-pod.js';
import { container, event, piPod, sec, T0, UID } from './fixtures.js';

let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('describePod', () => {
  it('describes a completed Job pod in kubectl layout', () => {
    const pod = piPod('pi-5rwd7', {}, {
      phase: 'Succeeded',
      startTime: T0 + sec(1),
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: T0 },
        { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: T0 },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: T0 },
      ],
      containerStatuses: [
        container({ state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: T0 + sec(2), finishedAt: T0 + sec(12) } } }),
      ],
    });
    const out = describePod(
      {
        pod,
        events: [event({ involvedObject: { kind: 'Pod', namespace: 'default', name: 'pi-5rwd7' }, source: 'kubelet', reason: 'Started', message: 'Started container pi' })],
        node: { name: 'build-host', ip: '10.0.0.5' },
      },
      T0 + sec(61),
    );
    expect(out).toBe(`Name:         pi-5rwd7
Namespace:    default
Priority:     0
Node:         build-host/10.0.0.5
Start Time:   Mon, 02 Dec 2019 13:20:01 +0000
Labels:       batch.kubernetes.io/controller-uid=${UID}
              batch.kubernetes.io/job-name=pi
              controller-uid=${UID}
              job-name=pi
Annotations:  <none>
Status:       Succeeded
IP:           10.0.0.5
IPs:
  IP:           10.0.0.5
Controlled By:  Job/pi
Containers:
  pi:
    Container ID:  
    Image:         perl:5.34.0
    Image ID:      
    Port:          <none>
    Host Port:     <none>
    Command:
      perl
      -Mbignum=bpi
      -wle
      print bpi(2000)
    State:          Terminated
      Reason:       Completed
      Exit Code:    0
      Started:      Mon, 02 Dec 2019 13:20:02 +0000
      Finished:     Mon, 02 Dec 2019 13:20:12 +0000
    Ready:          False
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
Conditions:
  Type           Status
  Initialized    True 
  Ready          False 
  PodScheduled   True 
Volumes:         <none>
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     <none>
Events:
  Type    Reason   Age   From     Message
  ----    ------   ----  ----     -------
  Normal  Started  60s   kubelet  Started container pi
`);
  });

  it('shows a pod being deleted as Terminating with its grace period', () => {
    const pod = piPod('pi-x7k2p', { deletionTimestamp: T0 + sec(20), deletionGracePeriodSeconds: 30 }, {
      phase: 'Running',
      containerStatuses: [container({ state: { running: { startedAt: T0 + sec(2) } }, ready: true })],
    });
    const lines = describePod({ pod, events: [] }, T0 + sec(25)).split('\n');
    expect(lines).toContain('Status:                    Terminating (lasts 5s)');
    expect(lines).toContain('Termination Grace Period:  30s');
    expect(lines).toContain('Node:                      <none>');
    expect(lines).toContain('    State:          Running');
    expect(lines).toContain('      Started:      Mon, 02 Dec 2019 13:20:02 +0000');
  });

  it('shows the last termination of a restarted container and resolves downward-API env', () => {
    const pod = piPod('pi-0-abcde', {}, {
      phase: 'Running',
      containerStatuses: [
        container({
          state: { running: { startedAt: T0 + sec(30) } },
          lastState: { terminated: { exitCode: 137, signal: 9, reason: 'Error', startedAt: T0 + sec(2), finishedAt: T0 + sec(20) } },
          ready: true,
          restartCount: 1,
        }),
      ],
    });
    pod.spec = { ...pod.spec, containers: [{ ...pod.spec.containers[0]!, env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] };
    const out = describePod({ pod, events: [] }, T0 + sec(40));
    expect(out).toContain(
      [
        '    Last State:     Terminated',
        '      Reason:       Error',
        '      Exit Code:    137',
        '      Signal:       9',
        '      Started:      Mon, 02 Dec 2019 13:20:02 +0000',
        '      Finished:     Mon, 02 Dec 2019 13:20:20 +0000',
        '    Ready:          True',
        '    Restart Count:  1',
        '    Environment:',
        '      POD:       pi-0-abcde (v1:metadata.name)',
      ].join('\n'),
    );
  });
});
