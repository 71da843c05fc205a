import { describe, expect, it } from 'vitest';
import { pickNext, type Candidate } from '../../src/scheduler/order.js';
import { schedulePass, type WaitingPod } from '../../src/scheduler/pass.js';

const cand = (name: string, group: string, created: number): Candidate => ({ uid: name, group, creationTimestamp: created, name });

describe('which waiting pod goes next when capacity frees', () => {
  const cases: Record<string, { candidates: Candidate[]; admitted: Record<string, number>; want: string | undefined }> = {
    'nobody waiting: nobody goes': { candidates: [], admitted: {}, want: undefined },
    'the Job with the fewest admitted pods goes first, even with a younger pod': {
      candidates: [cand('a-old', 'a', 1), cand('b-young', 'b', 9)],
      admitted: { a: 2, b: 1 },
      want: 'b-young',
    },
    'a Job with nothing admitted counts as zero': { candidates: [cand('a1', 'a', 1), cand('b1', 'b', 5)], admitted: { a: 1 }, want: 'b1' },
    'between equally served Jobs the oldest pod goes first': { candidates: [cand('b1', 'b', 5), cand('a1', 'a', 3)], admitted: { a: 1, b: 1 }, want: 'a1' },
    'within one Job the oldest pod goes first': { candidates: [cand('a2', 'a', 2), cand('a1', 'a', 1)], admitted: {}, want: 'a1' },
    'pods created in the same millisecond go by name': { candidates: [cand('a-z', 'a', 1), cand('a-b', 'a', 1)], admitted: {}, want: 'a-b' },
  };
  for (const [name, t] of Object.entries(cases)) {
    it(name, () => expect(pickNext(t.candidates, new Map(Object.entries(t.admitted)))?.uid).toBe(t.want));
  }
});

const waiting = (name: string, group: string, created: number, milliCpu: number): WaitingPod => ({ ...cand(name, group, created), request: { milliCpu, memory: 0 } });

describe('a scheduling pass over every waiting pod', () => {
  const node = { milliCpu: 2000, memory: 1 << 30, pods: 110 };
  const cases: Record<string, { waiting: WaitingPod[]; admitted?: Record<string, number>; usedCpu?: number; admit: string[]; unschedulable: string[] }> = {
    'two Jobs share a two-CPU node one pod each, oldest Job first': {
      waiting: [waiting('a1', 'a', 1, 1000), waiting('a2', 'a', 2, 1000), waiting('b1', 'b', 3, 1000), waiting('b2', 'b', 4, 1000)],
      admit: ['a1', 'b1'],
      unschedulable: ['a2', 'b2'],
    },
    'freed capacity goes to the Job holding less': {
      waiting: [waiting('a3', 'a', 1, 1000), waiting('b2', 'b', 4, 1000)],
      admitted: { a: 1 },
      usedCpu: 1000,
      admit: ['b2'],
      unschedulable: ['a3'],
    },
    'a pod too big for what is left does not block a smaller one behind it': {
      waiting: [waiting('big', 'a', 1, 1500), waiting('small', 'b', 2, 500)],
      usedCpu: 1000,
      admit: ['small'],
      unschedulable: ['big'],
    },
    'a pod larger than the node waits and the others go': {
      waiting: [waiting('huge', 'a', 1, 4000), waiting('b1', 'b', 2, 1000), waiting('b2', 'b', 3, 1000)],
      admit: ['b1', 'b2'],
      unschedulable: ['huge'],
    },
  };
  for (const [name, t] of Object.entries(cases)) {
    it(name, () => {
      const r = schedulePass(t.waiting, new Map(Object.entries(t.admitted ?? {})), { milliCpu: t.usedCpu ?? 0, memory: 0, pods: Object.values(t.admitted ?? {}).reduce((a, b) => a + b, 0) }, node);
      expect(r.admit).toEqual(t.admit);
      expect([...r.unschedulable.keys()].sort()).toEqual(t.unschedulable);
    });
  }
});
