import type { RetryConfig } from '../events/config.js';

// What the deliverer does next, decided from the open outbox rows and the
// time alone: which deliveries are due now, which are given up, and when to
// look again. No timer polls: the deliverer sleeps until `wakeAt`, or until a
// new row is written.

export interface OpenDelivery {
  seq: number;
  createdAt: number;
  attempts: number;
  /** When the next attempt is due; undefined: never tried, due now. */
  nextAt: number | undefined;
  /** The target is still configured (a removed target's rows are given up). */
  targetKnown: boolean;
}

export interface NotificationsInput {
  open: readonly OpenDelivery[];
  /** Rows with an attempt under way: neither due nor given up until it ends. */
  inFlight: ReadonlySet<number>;
  retry: RetryConfig;
}

export interface NotificationsPlan {
  deliver: number[];
  giveUp: { seq: number; reason: string }[];
  /** The earliest time a row not due now becomes due; undefined: none waits. */
  wakeAt: number | undefined;
}

export function reconcileNotifications(input: NotificationsInput, now: number): NotificationsPlan {
  const plan: NotificationsPlan = { deliver: [], giveUp: [], wakeAt: undefined };
  for (const d of input.open) {
    if (input.inFlight.has(d.seq)) continue;
    if (!d.targetKnown) {
      plan.giveUp.push({ seq: d.seq, reason: 'the target is no longer configured' });
      continue;
    }
    const due = d.nextAt ?? d.createdAt;
    if (due > now) {
      plan.wakeAt = plan.wakeAt === undefined ? due : Math.min(plan.wakeAt, due);
      continue;
    }
    // The first attempt is always made, however old the row (a daemon down for a day still reports).
    if (d.attempts > 0 && now - d.createdAt >= input.retry.giveUpAfterMs) {
      plan.giveUp.push({ seq: d.seq, reason: `still failing ${Math.round(input.retry.giveUpAfterMs / 1000)}s after the event` });
      continue;
    }
    plan.deliver.push(d.seq);
  }
  return plan;
}

/** When to try again after `attempts` failed attempts: doubling from the initial interval, capped. */
export function nextAttemptAt(attempts: number, now: number, retry: RetryConfig): number {
  const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return now + delay;
}
