import { describe, expect, it } from 'vitest';
import type { PodFailurePolicy } from '../../src/api/types.js';
import { ensureJobConditionStatus } from '../../src/reconcile/conditions.js';
import { parseIntervals } from '../../src/reconcile/intervals.js';
import { matchPodFailurePolicy } from '../../src/reconcile/pod-failure-policy.js';
import { activePodsForRemoval } from '../../src/reconcile/removal.js';
import { matchSuccessPolicy } from '../../src/reconcile/success-policy.js';
import { at, condition, job, pod } from '../helpers/builders.js';

describe('matchPodFailurePolicy', () => {
  const policy: PodFailurePolicy = {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
    ],
  };
  const failedWith = (exitCode: number, name = 'p') => pod({ name, phase: 'Failed', exitCode });

  const cases: Record<string, [ReturnType<typeof pod>, string | undefined, boolean]> = {
    'no rule matched: failure counts': [failedWith(1), undefined, true],
    'pod condition rule ignores the failure': [
      pod({ phase: 'Failed', exitCode: 42, conditions: [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: at(0) }] }),
      'Ignore',
      false,
    ],
    'exit code rule fails the job': [failedWith(42), 'FailJob', true],
    'NotIn operator matches other codes': [failedWith(7), 'Count', true],
  };
  for (const [name, [p, action, counts]] of Object.entries(cases)) {
    it(name, () => {
      const m = matchPodFailurePolicy(policy, p);
      expect(m.action).toBe(action);
      expect(m.countFailed).toBe(counts);
    });
  }

  it('FailJob message names the container, pod, exit code and rule index', () => {
    expect(matchPodFailurePolicy(policy, failedWith(42, 'pi-abcde')).failJobMessage).toBe(
      'Container main for pod default/pi-abcde failed with exit code 42 matching FailJob rule at index 1',
    );
  });

  it('condition FailJob message names the condition', () => {
    const p = pod({ name: 'pi-q', phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: at(0) }] });
    const m = matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, p);
    expect(m.failJobMessage).toBe('Pod default/pi-q has condition DisruptionTarget matching FailJob rule at index 0');
  });

  it('exit code 0 never matches, even with NotIn', () => {
    expect(matchPodFailurePolicy({ rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, failedWith(0)).action).toBeUndefined();
  });
});

describe('matchSuccessPolicy', () => {
  const succeeded = parseIntervals('0,2-4', 10);
  const cases: Record<string, [{ succeededIndexes?: string; succeededCount?: number }[], string | undefined]> = {
    'all listed indexes succeeded': [[{ succeededIndexes: '2-4' }], 'Matched rules at index 0'],
    'a listed index is missing': [[{ succeededIndexes: '0-2' }], undefined],
    'enough of the listed indexes succeeded': [[{ succeededIndexes: '0-3', succeededCount: 3 }], 'Matched rules at index 0'],
    'total count reached': [[{ succeededIndexes: '9' }, { succeededCount: 4 }], 'Matched rules at index 1'],
    'total count not reached': [[{ succeededCount: 5 }], undefined],
  };
  for (const [name, [rules, want]] of Object.entries(cases)) {
    it(name, () => expect(matchSuccessPolicy({ rules }, 10, succeeded)).toBe(want));
  }

  it('never matches before any index succeeded', () => {
    expect(matchSuccessPolicy({ rules: [{ succeededCount: 0 }] }, 10, [])).toBeUndefined();
  });
});

describe('activePodsForRemoval', () => {
  const j = job();
  it('deletes pending before running, not-ready before ready, newer before older', () => {
    const pods = [
      pod({ uid: 'old-ready', creationTimestamp: at(1) }),
      pod({ uid: 'new-ready', creationTimestamp: at(2) }),
      pod({ uid: 'not-ready', ready: false }),
      pod({ uid: 'pending', phase: 'Pending' }),
    ];
    expect(activePodsForRemoval(j, pods, 4).map((p) => p.uid)).toEqual(['pending', 'not-ready', 'new-ready', 'old-ready']);
  });

  it('deletes pods that restarted more first', () => {
    const pods = [pod({ uid: 'calm', restartCount: 0 }), pod({ uid: 'crashy', restartCount: 3 })];
    expect(activePodsForRemoval(j, pods, 1).map((p) => p.uid)).toEqual(['crashy']);
  });
});

describe('ensureJobConditionStatus', () => {
  it('does not add a False condition that never existed', () => {
    const list = [condition('FailureTarget', 'x', 'y', at(0))];
    expect(ensureJobConditionStatus(list, 'Suspended', 'False', 'JobResumed', 'Job resumed', at(5))).toBe(false);
    expect(list).toHaveLength(1);
  });

  it('replaces a changed condition in place with new times', () => {
    const list = [condition('Suspended', 'JobSuspended', 'Job suspended', at(0)), condition('FailureTarget', 'x', 'y', at(0))];
    expect(ensureJobConditionStatus(list, 'Suspended', 'False', 'JobResumed', 'Job resumed', at(5))).toBe(true);
    expect(list[0]).toEqual(condition('Suspended', 'JobResumed', 'Job resumed', at(5), 'False'));
    expect(list).toHaveLength(2);
  });

  it('leaves an identical condition and its times alone', () => {
    const list = [condition('Suspended', 'JobSuspended', 'Job suspended', at(0))];
    expect(ensureJobConditionStatus(list, 'Suspended', 'True', 'JobSuspended', 'Job suspended', at(5))).toBe(false);
    expect(list[0]?.lastTransitionTime).toBe(at(0));
  });
});
