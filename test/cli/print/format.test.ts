import { describe, expect, it } from 'vitest';
import { formatJson, formatYaml } from '../../../src/cli/print/format.js';
import { toEventObject, toJobObject, toList, toPodObject } from '../../../src/cli/print/objects.js';
import { completedStatus, container, event, piJob, piPod, sec, status, T0, UID } from './fixtures.js';

const suspendedAt = Date.UTC(2021, 1, 5, 13, 14, 33);
const startedAt = Date.UTC(2021, 1, 5, 13, 13, 48);

describe('-o yaml', () => {
  it('shows a suspended Job the way the Kubernetes docs do', () => {
    const job = piJob({ name: 'myjob', creationTimestamp: startedAt }, { suspend: true, completions: 5 });
    const st = status({
      startTime: startedAt,
      conditions: [
        { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: suspendedAt, lastTransitionTime: suspendedAt },
      ],
    });
    const yaml = formatYaml(toJobObject(job, st));
    expect(yaml.slice(yaml.indexOf('status:'))).toBe(`status:
  conditions:
  - lastProbeTime: "2021-02-05T13:14:33Z"
    lastTransitionTime: "2021-02-05T13:14:33Z"
    message: Job suspended
    reason: JobSuspended
    status: "True"
    type: Suspended
  ready: 0
  startTime: "2021-02-05T13:13:48Z"
  terminating: 0
  uncountedTerminatedPods: {}
`);
    expect(yaml.startsWith('apiVersion: batch/v1\nkind: Job\nmetadata:\n  creationTimestamp: "2021-02-05T13:13:48Z"\n')).toBe(true);
    expect(yaml).toContain('\n  suspend: true\n');
    expect(yaml).toContain('\n  completions: 5\n');
    expect(yaml).toContain(`  selector:\n    matchLabels:\n      batch.kubernetes.io/controller-uid: ${UID}\n`);
    expect(yaml).toContain('      containers:\n      - command:\n        - perl\n        - -Mbignum=bpi\n');
    expect(yaml).toContain('    metadata:\n      creationTimestamp: null\n');
  });

  it('omits zero active/failed/succeeded and empty completedIndexes but keeps ready and terminating', () => {
    const obj = toJobObject(piJob(), completedStatus(T0, T0 + sec(65)));
    expect(obj['status']).toEqual({
      conditions: expect.any(Array),
      startTime: '2019-12-02T13:20:00Z',
      completionTime: '2019-12-02T13:21:05Z',
      active: undefined,
      succeeded: 1,
      failed: undefined,
      ready: 0,
      terminating: 0,
      completedIndexes: undefined,
      failedIndexes: undefined,
      uncountedTerminatedPods: {},
    });
  });

  it('has an empty status before the first sync', () => {
    expect(formatYaml(toJobObject(piJob(), undefined))).toContain('\nstatus: {}\n');
  });
});

describe('-o json', () => {
  it('indents by four spaces, sorts keys and escapes HTML characters as Go does', () => {
    expect(formatJson({ kind: 'X', apiVersion: 'v1', items: [], data: { b: '<none> & more', a: {} }, skip: undefined })).toBe(
      '{\n    "apiVersion": "v1",\n    "data": {\n        "a": {},\n        "b": "\\u003cnone\\u003e \\u0026 more"\n    },\n    "items": [],\n    "kind": "X"\n}\n',
    );
  });

  it('wraps several objects in a List', () => {
    expect(toList([{ a: 1 }])).toEqual({ apiVersion: 'v1', kind: 'List', items: [{ a: 1 }], metadata: { resourceVersion: '' } });
  });
});

describe('toPodObject', () => {
  it('carries the owner reference, tracking finalizer and generateName of a Job pod', () => {
    const pod = piPod('pi-5rwd7', {}, { phase: 'Running', startTime: T0 + sec(2), containerStatuses: [container({ state: { running: { startedAt: T0 + sec(3) } }, ready: true, image: 'perl:5.34.0' })] });
    const obj = toPodObject(pod) as { metadata: Record<string, unknown>; status: Record<string, unknown> };
    expect(obj.metadata['ownerReferences']).toEqual([
      { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: UID, controller: true, blockOwnerDeletion: true },
    ]);
    expect(obj.metadata['finalizers']).toEqual(['batch.kubernetes.io/job-tracking']);
    expect(obj.metadata['generateName']).toBe('pi-');
    expect(obj.status['containerStatuses']).toEqual([
      { name: 'pi', image: 'perl:5.34.0', imageID: '', ready: true, restartCount: 0, started: undefined, state: { running: { startedAt: '2019-12-02T13:20:03Z' } }, lastState: {} },
    ]);
    expect(obj.status['qosClass']).toBe('BestEffort');
    expect(obj.status['podIP']).toBeUndefined();
  });

  it('drops the finalizer once the outcome is counted and shows the deletion', () => {
    const pod = piPod('pi-5rwd7', { trackingFinalizer: false, deletionTimestamp: T0 + sec(9), deletionGracePeriodSeconds: 30 });
    const meta = (toPodObject(pod) as { metadata: Record<string, unknown> }).metadata;
    expect(meta['finalizers']).toBeUndefined();
    expect(meta['deletionTimestamp']).toBe('2019-12-02T13:20:09Z');
    expect(meta['deletionGracePeriodSeconds']).toBe(30);
  });
});

describe('toEventObject', () => {
  it('is a v1 Event named after its object, deterministically', () => {
    const e = event();
    const obj = toEventObject(e) as { metadata: { name: string }; involvedObject: unknown; source: unknown };
    expect(obj.metadata.name).toMatch(/^pi\.[0-9a-f]{15,16}$/);
    expect(toEventObject(event()).metadata).toEqual(obj.metadata);
    expect((toEventObject(event({ message: 'Created pod: pi-other' })) as typeof obj).metadata.name).not.toBe(obj.metadata.name);
    expect(obj.involvedObject).toEqual({ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', namespace: 'default', uid: UID });
    expect(obj.source).toEqual({ component: 'job-controller' });
  });
});
