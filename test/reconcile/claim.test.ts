import { describe, expect, it } from 'vitest';
import type { Job, Pod } from '../../src/api/types.js';
import { claimPods } from '../../src/reconcile/index.js';
import { at, job, pod } from '../helpers/builders.js';

// ClaimPods: a Job controls its own pods that match its selector, adopts
// matching orphans, lets go of its pods that stopped matching, and never
// takes a pod another Job controls.

const manual = (name: string): Job =>
  job({ name, spec: { manualSelector: true, selector: { matchLabels: { app: 'shared' } } } });

function orphan(labels: Record<string, string>, extra: Partial<Pod> = {}): Pod {
  const p = pod({ job: job({ name: 'gone' }) });
  delete p.owner;
  return { ...p, labels, trackingFinalizer: false, ...extra };
}

describe('claimPods', () => {
  const j = manual('new');
  const mine = (labels: Record<string, string>): Pod => ({ ...pod({ job: j }), labels });
  const cases: Record<string, { job?: Job; finished?: boolean; owned?: Pod[]; orphans?: Pod[]; adopt: number; release: number }> = {
    'an orphan that matches is adopted': { orphans: [orphan({ app: 'shared' })], adopt: 1, release: 0 },
    'an orphan that does not match is left alone': { orphans: [orphan({ app: 'other' })], adopt: 0, release: 0 },
    'an orphan in another namespace is left alone': { orphans: [orphan({ app: 'shared' }, { namespace: 'other' })], adopt: 0, release: 0 },
    'an orphan being deleted is left alone': { orphans: [orphan({ app: 'shared' }, { deletionTimestamp: at(1) })], adopt: 0, release: 0 },
    'a pod with an owner is never taken': { orphans: [pod({ job: job({ name: 'other' }) })].map((p) => ({ ...p, labels: { app: 'shared' } })), adopt: 0, release: 0 },
    'an own pod that still matches is kept': { owned: [mine({ app: 'shared' })], adopt: 0, release: 0 },
    'an own pod that stopped matching is released': { owned: [mine({})], adopt: 0, release: 1 },
    'a Job being deleted neither adopts nor releases': {
      job: { ...j, deletionTimestamp: at(5) },
      owned: [mine({})],
      orphans: [orphan({ app: 'shared' })],
      adopt: 0,
      release: 0,
    },
    'a finished Job adopts nothing': { finished: true, orphans: [orphan({ app: 'shared' })], adopt: 0, release: 0 },
    'a Job managed by another controller claims nothing': {
      job: { ...j, spec: { ...j.spec, managedBy: 'example.com/custom-job-controller' } },
      owned: [mine({})],
      orphans: [orphan({ app: 'shared' })],
      adopt: 0,
      release: 0,
    },
    'a Job managed by kubernetes.io/job-controller is ours': {
      job: { ...j, spec: { ...j.spec, managedBy: 'kubernetes.io/job-controller' } },
      orphans: [orphan({ app: 'shared' })],
      adopt: 1,
      release: 0,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const r = claimPods(c.job ?? j, c.finished ?? false, c.owned ?? [], c.orphans ?? []);
      expect(r.adopt).toHaveLength(c.adopt);
      expect(r.release).toHaveLength(c.release);
    });
  }

  it("a generated selector adopts only pods labelled with the Job's own uid", () => {
    const generated = job({ name: 'pi', uid: 'uid-new' });
    const old = orphan(job({ name: 'pi', uid: 'uid-old' }).spec.template.metadata.labels);
    const same = orphan(generated.spec.template.metadata.labels);
    expect(claimPods(generated, false, [], [old, same]).adopt).toEqual([same.uid]);
  });
});
