import { describe, expect, it } from 'vitest';
import { materializeJob, parseManifest } from '../../src/manifest/index.js';
import type { Job } from '../../src/api/types.js';
import { rerunOf } from '../../src/sync/rerun.js';

function stored(yaml: string, uid: string): Job {
  const [p] = parseManifest(yaml, 'j.yaml').jobs;
  const { labels, spec } = materializeJob(p!, uid);
  return { uid, namespace: p!.namespace, name: p!.name, labels, annotations: p!.annotations, creationTimestamp: 1, generation: 3, spec, specHash: p!.specHash, origin: { kind: 'dir', source: '/jobs', path: 'j.yaml', line: 1 }, appliedSpec: p!.spec };
}

const yaml = (labels: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
${labels}spec:
  template:
    metadata:
      labels:
        team: a
    spec:
      containers:
      - name: c
        image: x
        command: ["true"]
      restartPolicy: Never
`;

describe('rerun of a Job', () => {
  it('gets a new uid in its selector and generated labels, and keeps everything else', () => {
    const old = stored(yaml(''), 'old-uid');
    const next = rerunOf(old, 'new-uid', 50);
    expect(next.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'new-uid' } });
    expect(next.spec.template.metadata.labels).toEqual({
      team: 'a',
      'controller-uid': 'new-uid',
      'batch.kubernetes.io/controller-uid': 'new-uid',
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
    });
    // No labels of its own: it takes its template's again, with the new uid.
    expect(next.labels['controller-uid']).toBe('new-uid');
    expect(next).toMatchObject({ name: 'pi', generation: 1, creationTimestamp: 50, specHash: old.specHash, origin: old.origin });
  });

  it('keeps labels of its own and values changed through the CLI', () => {
    const old = stored(yaml('  labels:\n    owner: me\n'), 'u1');
    old.spec.parallelism = 4;
    const next = rerunOf(old, 'u2', 9);
    expect(next.labels).toEqual({ owner: 'me' });
    expect(next.spec.parallelism).toBe(4);
    expect(next.appliedSpec?.parallelism).toBe(1);
  });
});
