import { describe, expect, it } from 'vitest';
import { nextAttemptAt, reconcileNotifications, type OpenDelivery } from '../../src/notify/plan.js';

const retry = { initialMs: 1000, maxMs: 60_000, giveUpAfterMs: 3_600_000 };
const row = (seq: number, o: Partial<OpenDelivery> = {}): OpenDelivery => ({ seq, createdAt: 0, attempts: 0, nextAt: undefined, targetKnown: true, ...o });

describe('reconcileNotifications', () => {
  it('delivers new rows at once and sleeps until the earliest retry', () => {
    const plan = reconcileNotifications({ open: [row(1), row(2, { attempts: 1, nextAt: 5000 }), row(3, { attempts: 2, nextAt: 3000 })], inFlight: new Set(), retry }, 1000);
    expect(plan).toEqual({ deliver: [1], giveUp: [], wakeAt: 3000 });
  });

  it('leaves rows with an attempt under way alone', () => {
    expect(reconcileNotifications({ open: [row(1), row(2)], inFlight: new Set([1]), retry }, 0).deliver).toEqual([2]);
  });

  it('gives up a row still failing past the limit, but always makes the first attempt', () => {
    const late = 3_600_000 + 1;
    const plan = reconcileNotifications({ open: [row(1, { attempts: 5, nextAt: late }), row(2)], inFlight: new Set(), retry }, late);
    expect(plan.deliver).toEqual([2]);
    expect(plan.giveUp).toEqual([{ seq: 1, reason: expect.stringContaining('3600s') }]);
  });

  it('gives up rows of a target no longer configured', () => {
    expect(reconcileNotifications({ open: [row(1, { targetKnown: false })], inFlight: new Set(), retry }, 0).giveUp.map((g) => g.seq)).toEqual([1]);
  });

  it('keeps a receiver that is down for an hour: retries at most maxInterval apart until then', () => {
    let now = 0;
    let attempts = 0;
    let nextAt: number | undefined;
    const times: number[] = [];
    for (;;) {
      const plan = reconcileNotifications({ open: [row(1, { attempts, nextAt })], inFlight: new Set(), retry: { ...retry, giveUpAfterMs: 2 * 3_600_000 } }, now);
      if (plan.deliver.length === 1) {
        times.push(now);
        attempts++;
        nextAt = nextAttemptAt(attempts, now, retry);
        if (now >= 3_600_000) break; // the receiver is back: this attempt succeeds
      }
      now = plan.wakeAt ?? now;
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16000, 32000]);
    expect(Math.max(...gaps)).toBe(60_000);
    expect(times.at(-1)! - 3_600_000).toBeLessThanOrEqual(60_000);
  });
});
