import { describe, expect, it } from 'vitest';
import { COMPLETION_INDEX_ENV, JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT } from '../../src/api/types.js';
import { buildPod, emptyJobStatus, generatePodName, POD_NAME_ALPHABET } from '../../src/reconcile/pod-template.js';
import { at, indexedJob, job } from '../helpers/builders.js';

describe('generatePodName', () => {
  const long = 'a'.repeat(70);
  const cases: Record<string, [string, number | undefined, string]> = {
    'job name, dash, suffix': ['pi', undefined, 'pi-x7k2p'],
    'indexed: job name, index, suffix': ['indexed-job', 2, 'indexed-job-2-x7k2p'],
    'long name is cut to 58 characters before the suffix': [long, undefined, `${'a'.repeat(58)}x7k2p`],
    'long indexed name keeps the whole index': [long, 12345, `${'a'.repeat(51)}-12345-x7k2p`],
  };
  for (const [name, [jobName, index, want]] of Object.entries(cases)) {
    it(name, () => {
      const got = generatePodName(job({ name: jobName }), index, 'x7k2p');
      expect(got).toBe(want);
      expect(got.length).toBeLessThanOrEqual(63);
    });
  }

  it('suffix alphabet has no vowels or look-alike characters', () => {
    expect(POD_NAME_ALPHABET).toHaveLength(27);
    expect(POD_NAME_ALPHABET).not.toMatch(/[aeiou013y]/);
  });
});

describe('buildPod', () => {
  it('copies the template and marks the pod as owned and tracked', () => {
    const j = job({ spec: { template: { spec: { restartPolicy: 'OnFailure' } } } });
    const p = buildPod(j, {}, { uid: 'u1', name: 'pi-abcde' }, at(5));
    expect(p).toMatchObject({
      uid: 'u1',
      name: 'pi-abcde',
      namespace: 'default',
      owner: { uid: j.uid, name: 'pi' },
      trackingFinalizer: true,
      creationTimestamp: at(5),
      labels: j.spec.template.metadata.labels,
      status: {
        phase: 'Pending',
        conditions: [],
        initContainerStatuses: [],
        containerStatuses: [{ name: 'main', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0 }],
      },
    });
    expect(p.spec.restartPolicy).toBe('OnFailure');
    expect(p.spec.hostname).toBeUndefined();
    expect(p.spec.containers[0]?.env).toEqual([]);
    // The pod never shares structure with the Job's template.
    p.spec.containers[0]?.command.push('mutated');
    expect(j.spec.template.spec.containers[0]?.command).toEqual(['sh', '-c', 'true']);
  });

  it('indexed pods carry their index as label, annotation, hostname and environment', () => {
    const j = indexedJob(5, 2, {
      spec: {
        template: {
          spec: {
            initContainers: [{ name: 'init', command: ['true'], args: [], env: [] }],
            containers: [
              { name: 'main', command: ['true'], args: [], env: [{ name: 'A', value: '1' }] },
              { name: 'own', command: ['true'], args: [], env: [{ name: COMPLETION_INDEX_ENV, value: 'mine' }] },
            ],
          },
        },
      },
    });
    const p = buildPod(j, { index: 3, annotations: { [JOB_INDEX_FAILURE_COUNT]: '1' } }, { uid: 'u', name: 'pi-3-abcde' }, at(0));
    expect(p.labels[JOB_COMPLETION_INDEX]).toBe('3');
    expect(p.annotations[JOB_COMPLETION_INDEX]).toBe('3');
    expect(p.annotations[JOB_INDEX_FAILURE_COUNT]).toBe('1');
    expect(p.spec.hostname).toBe('pi-3');
    expect(p.spec.initContainers[0]?.env).toEqual([{ name: COMPLETION_INDEX_ENV, value: '3' }]);
    expect(p.spec.containers[0]?.env).toEqual([{ name: 'A', value: '1' }, { name: COMPLETION_INDEX_ENV, value: '3' }]);
    expect(p.spec.containers[1]?.env).toEqual([{ name: COMPLETION_INDEX_ENV, value: 'mine' }]);
    expect(p.status.containerStatuses.map((c) => c.name)).toEqual(['main', 'own']);
    expect(j.spec.template.spec.containers[0]?.env).toHaveLength(1);
  });
});

describe('emptyJobStatus', () => {
  it('has every counter at zero and no conditions', () => {
    expect(emptyJobStatus()).toEqual({ conditions: [], active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, completedIndexes: '' });
  });
});
