import { describe, expect, it } from 'vitest';
import { runNotifications } from '../../src/notify/run-events.js';
import { at, condition, job, status } from '../helpers/builders.js';

const tail = { pod: 'pi-abcde', container: 'main', exitCode: 1, lines: ['oops'] };
const lookups = { trigger: () => 'spec-change', logTail: () => tail };
const failedAt = (s: number) => [condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', at(s))];

describe('runNotifications', () => {
  const j = job({ name: 'pi' });

  it('announces a start once, when startTime is first set', () => {
    const started = status({ startTime: at(1), active: 1 });
    expect(runNotifications(j, status(), started, lookups).map((n) => n.event)).toEqual(['started']);
    expect(runNotifications(j, started, { ...started, ready: 1 }, lookups)).toEqual([]);
  });

  it('announces the end once, with result, duration, trigger and (on failure) the log tail', () => {
    const running = status({ startTime: at(1), active: 1 });
    const failed = status({ startTime: at(1), failed: 1, conditions: failedAt(4.25) });
    const [n] = runNotifications(j, running, failed, lookups);
    expect(n).toEqual({
      event: 'failed',
      data: expect.objectContaining({ run: { uid: j.uid, trigger: 'spec-change' }, result: 'Failed', reason: 'BackoffLimitExceeded', durationSeconds: 3.3, logTail: tail, failed: 1 }),
    });
    expect(runNotifications(j, failed, { ...failed, failed: 2 }, lookups)).toEqual([]);
    const done = status({ startTime: at(1), completionTime: at(3), succeeded: 1, conditions: [condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', at(3))] });
    const [ok] = runNotifications(j, running, done, lookups);
    expect(ok!.event).toBe('succeeded');
    expect(ok!.data.logTail).toBeUndefined();
    expect(ok!.data.durationSeconds).toBe(2);
  });

  it('gives both when a pass starts and ends a run, in that order', () => {
    const events = runNotifications(j, status(), status({ startTime: at(1), failed: 1, conditions: failedAt(1) }), lookups);
    expect(events.map((n) => n.event)).toEqual(['started', 'failed']);
  });
});
