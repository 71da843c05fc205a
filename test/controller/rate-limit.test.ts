import { describe, expect, it } from 'vitest';
import { FailureBackoff } from '../../src/controller/rate-limit.js';
import { WorkQueue } from '../../src/controller/queue.js';

describe('a failed Job sync is retried with exponential back-off per Job', () => {
  it('each failure doubles the wait, up to the ceiling', () => {
    const b = new FailureBackoff(1000, 8000);
    expect([1, 2, 3, 4, 5].map(() => b.when('a'))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('a success starts the next failure from the base again', () => {
    const b = new FailureBackoff(1000, 8000);
    b.when('a');
    b.when('a');
    b.forget('a');
    expect(b.when('a')).toBe(1000);
  });

  it('one failing Job does not slow another', () => {
    const b = new FailureBackoff(1000, 8000);
    b.when('a');
    b.when('a');
    expect(b.when('b')).toBe(1000);
  });

  it('the queue forgets a key once it is handled without an error', async () => {
    const backoff = new FailureBackoff(5, 1000);
    let fail = 2;
    const handled: string[] = [];
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    const q: WorkQueue = new WorkQueue(
      (k) => {
        handled.push(k);
        if (fail-- > 0) throw new Error('write failed');
        resolveDone();
      },
      (k) => q.addRateLimited(k),
      Date.now,
      backoff,
    );
    q.add('job');
    await done;
    expect(handled).toEqual(['job', 'job', 'job']);
    expect(backoff.retries('job')).toBe(0);
    q.shutdown();
  });
});
