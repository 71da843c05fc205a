import { describe, expect, it } from 'vitest';
import { backoffDelayMs, backoffRequeueMs, deriveBackoffRecord, remainingBackoffMs } from '../../src/reconcile/backoff.js';
import { DEFAULT_RECONCILE_OPTIONS } from '../../src/reconcile/plan.js';
import { podFinishTime } from '../../src/reconcile/pod-facts.js';
import { at, failed, job, pod, succeeded, terminating } from '../helpers/builders.js';

const opts = DEFAULT_RECONCILE_OPTIONS;

describe('back-off delay', () => {
  it('doubles from 10s and stops at 10 minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 30].map((n) => backoffDelayMs(n, opts) / 1000)).toEqual([0, 10, 20, 40, 80, 160, 320, 600, 600, 600]);
  });

  it('scales with a shortened base', () => {
    const fast = { ...opts, podBackoffBaseMs: 100, podBackoffMaxMs: 6000 };
    expect([1, 2, 7, 8].map((n) => backoffDelayMs(n, fast))).toEqual([100, 200, 6000, 6000]);
    expect(backoffRequeueMs(5, fast)).toBe(10);
  });

  it('never requeues sooner than a second at the default base', () => {
    expect(backoffRequeueMs(3, opts)).toBe(1000);
    expect(backoffRequeueMs(4500, opts)).toBe(4500);
  });

  it('remaining time counts from the last failure', () => {
    expect(remainingBackoffMs({ failuresAfterLastSuccess: 2, lastFailureTime: at(100) }, opts, at(105))).toBe(15_000);
    expect(remainingBackoffMs({ failuresAfterLastSuccess: 2, lastFailureTime: at(100) }, opts, at(120))).toBe(0);
    expect(remainingBackoffMs({ failuresAfterLastSuccess: 0 }, opts, at(120))).toBe(0);
  });
});

describe('back-off record from pods', () => {
  const j = job();
  const cases: Record<string, [ReturnType<typeof failed>, number, number | undefined]> = {
    'no pods, no back-off': [[], 0, undefined],
    'failures add up': [[...failed(1, at(10)), ...failed(1, at(30))], 2, at(30)],
    'a success resets the count': [[...failed(2, at(10)), ...succeeded(1, at(20))], 0, undefined],
    'only failures after the latest success count': [[...failed(1, at(10)), ...succeeded(1, at(20)), ...failed(1, at(40))], 1, at(40)],
    'counted failures still count': [failed(1, at(10), { finalizer: false }), 1, at(10)],
    'pods stopped on purpose do not count': [terminating(1, at(50), { finalizer: false }), 0, undefined],
    'a deleted pod not yet counted is a failure at its grace period start': [terminating(1, at(50)), 1, at(20)],
  };
  for (const [name, [pods, n, last]] of Object.entries(cases)) {
    it(name, () => {
      const r = deriveBackoffRecord(j, pods);
      expect(r.failuresAfterLastSuccess).toBe(n);
      expect(r.lastFailureTime).toBe(last);
    });
  }

  it('finish time falls back to the Ready=False transition, then creation', () => {
    const p = pod({ phase: 'Failed', creationTimestamp: at(1) });
    p.status.containerStatuses = [];
    expect(podFinishTime(p)).toBe(at(1));
    p.status.conditions = [{ type: 'Ready', status: 'False', lastTransitionTime: at(7) }];
    expect(podFinishTime(p)).toBe(at(7));
  });
});
