import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/controller/queue.js';

function collect(): { q: WorkQueue; seen: string[]; done: (n: number) => Promise<void> } {
  const seen: string[] = [];
  let waiters: (() => void)[] = [];
  const q = new WorkQueue(
    (k) => {
      seen.push(k);
      waiters.forEach((w) => w());
    },
    () => {},
  );
  const done = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (seen.length >= n ? resolve() : undefined);
      waiters.push(check);
      check();
    });
  return { q, seen, done };
}

describe('work queue', () => {
  it('a key due beyond the longest timer (a yearly CronJob) is not handled at once', async () => {
    const { q, seen } = collect();
    q.addAfter('yearly', 365 * 24 * 3600 * 1000);
    q.add('now');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['now']);
    q.shutdown();
  });

  it('a key added several times before it is handled is handled once', async () => {
    const { q, seen, done } = collect();
    q.add('a');
    q.add('a');
    q.add('b');
    q.add('a');
    await done(2);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'b']);
  });

  it('a delayed add keeps the earliest time and an immediate add overrides it', async () => {
    const { q, seen, done } = collect();
    q.addAfter('a', 10_000);
    q.addAfter('a', 20);
    await done(1);
    expect(seen).toEqual(['a']);
    q.addAfter('b', 10_000);
    q.add('b');
    await done(2);
    expect(seen).toEqual(['a', 'b']);
    q.shutdown();
  });

  it('an error in the handler is reported and does not stop the queue', async () => {
    const errors: string[] = [];
    const seen: string[] = [];
    const q = new WorkQueue(
      (k) => {
        if (k === 'bad') throw new Error('boom');
        seen.push(k);
      },
      (k) => errors.push(k),
    );
    q.add('bad');
    q.add('good');
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual(['bad']);
    expect(seen).toEqual(['good']);
  });

  it('nothing runs after shutdown', async () => {
    const { q, seen } = collect();
    q.addAfter('a', 5);
    q.shutdown();
    q.add('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
  });
});
