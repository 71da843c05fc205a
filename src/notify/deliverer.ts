import type { EventsConfig } from '../events/config.js';
import type { Db } from '../store/db.js';
import { listOpenOutbox, pruneOutbox, recordDeliveryAttempt, recordGivenUp, type OutboxRow } from '../store/outbox.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { nextAttemptAt, reconcileNotifications, type OpenDelivery } from './plan.js';
import { COMMIT_STATUS_TARGET } from './recorder.js';
import { commitStatusRequest, notificationRequest, type OutgoingRequest } from './requests.js';
import { errorFields } from '../errors.js';

// The thin applier of reconcileNotifications: reads the open outbox rows,
// sends what is due, records each attempt, and sleeps until the next row is
// due or a new one is written. A row is delivered at least once: an attempt
// cut short by a crash is made again after the restart, with the same event
// id, by which the receiver recognises it.

export interface DelivererOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  config: EventsConfig;
  /** Where links point: the configured console URL, else the listener's. */
  consoleBase: () => string | undefined;
  /** Attempts running at once, across targets. */
  maxInFlight?: number;
  /** One attempt's limit. */
  timeoutMs?: number;
  /** Finished notifications are kept this long (given-up ones stay listed by `get notifications` until then). */
  keepFinishedMs?: number;
}

const PRUNE_EVERY_MS = 3_600_000;

export class Deliverer {
  private readonly inFlight = new Map<number, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;
  private started = false;
  private prunedAt = 0;
  /**
   * Due rows the last pass had no room for. An attempt that ends starts the
   * next of these instead of reading the outbox again, so draining a backlog
   * (a receiver back after an outage) reads it once, not once per delivery.
   */
  private backlog: OutboxRow[] = [];

  constructor(private readonly o: DelivererOptions) {}

  /** Delivers what is pending, a previous daemon's included; before this, wake() only waits. */
  start(): void {
    this.started = true;
    this.wake();
  }

  /** Look at the outbox soon (after the caller's transaction has committed). */
  wake(): void {
    if (this.scheduled || this.stopped || !this.started) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pass();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Unfinished attempts are not recorded: they are made again after a restart.
    for (const a of this.inFlight.values()) a.abort();
    await Promise.allSettled([...this.running]);
  }

  private pass(): void {
    if (this.stopped) return;
    const { db, clock, config } = this.o;
    const now = clock.now();
    let open: OutboxRow[];
    try {
      if (now - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = now;
        pruneOutbox(db, now - (this.o.keepFinishedMs ?? 7 * 24 * 3_600_000));
      }
      open = listOpenOutbox(db);
    } catch (err) {
      this.o.logger.error('notification outbox unreadable', errorFields(err));
      return this.sleepUntil(now + config.retry.initialMs);
    }
    // A subject's notifications go out in the order of their causes (pending before failure).
    const first = new Map<string, OutboxRow>();
    for (const r of open) if (!first.has(`${r.target}\0${r.subject}`)) first.set(`${r.target}\0${r.subject}`, r);
    const heads = [...first.values()];
    const byId = new Map(heads.map((r) => [r.seq, r]));
    const input: OpenDelivery[] = heads.map((r) => ({ seq: r.seq, createdAt: r.createdAt, attempts: r.attempts, nextAt: r.nextAt, targetKnown: this.known(r.target) }));
    const plan = reconcileNotifications({ open: input, inFlight: new Set(this.inFlight.keys()), retry: config.retry }, now);
    for (const g of plan.giveUp) {
      recordGivenUp(db, g.seq, now, g.reason);
      this.o.logger.warn('notification given up', { target: byId.get(g.seq)?.target, event: byId.get(g.seq)?.eventId, reason: g.reason });
    }
    this.backlog = plan.deliver.map((seq) => byId.get(seq)!);
    this.startFromBacklog();
    if (plan.giveUp.length > 0) this.wake();
    if (plan.wakeAt !== undefined) this.sleepUntil(plan.wakeAt);
  }

  private startFromBacklog(): void {
    const max = this.o.maxInFlight ?? 8;
    while (this.inFlight.size < max && this.backlog.length > 0) {
      const row = this.backlog.shift()!;
      if (!this.inFlight.has(row.seq)) this.attempt(row);
    }
  }

  /** After an attempt: the next due row if one is waiting, else a fresh look (a subject's next row may be due now). */
  private next(): void {
    if (this.stopped) return;
    if (this.backlog.length > 0) this.startFromBacklog();
    else this.wake();
  }

  private sleepUntil(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pass();
    }, Math.max(0, at - this.o.clock.now()));
    this.timer.unref();
  }

  private known(target: string): boolean {
    return target === COMMIT_STATUS_TARGET ? this.o.config.commitStatus !== undefined : this.o.config.notifications.some((t) => t.name === target);
  }

  private request(row: OutboxRow): Promise<OutgoingRequest> | OutgoingRequest {
    const base = this.o.consoleBase();
    if (row.target === COMMIT_STATUS_TARGET) return commitStatusRequest(row, this.o.config.commitStatus!, base);
    return notificationRequest(row, this.o.config.notifications.find((t) => t.name === row.target)!, base);
  }

  private attempt(row: OutboxRow): void {
    const abort = new AbortController();
    this.inFlight.set(row.seq, abort);
    const started = this.o.clock.now();
    const run = (async () => {
      let error: string | undefined;
      try {
        const req = await this.request(row);
        const res = await fetch(req.url, {
          method: 'POST',
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.o.timeoutMs ?? 10_000)]),
        });
        // The body is not needed; reading it frees the connection for the next delivery.
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status} ${res.statusText}`.trim();
      } catch (err) {
        error = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
      }
      if (this.stopped) return;
      const now = this.o.clock.now();
      const ctx = { target: row.target, type: row.type, subject: row.subject, event: row.eventId, attempt: row.attempts + 1 };
      try {
        if (error === undefined) {
          recordDeliveryAttempt(this.o.db, row.seq, { kind: 'delivered', at: now });
          this.o.logger.info('notification delivered', { ...ctx, ms: now - started, ageMs: now - row.createdAt });
        } else {
          recordDeliveryAttempt(this.o.db, row.seq, { kind: 'retry', nextAt: nextAttemptAt(row.attempts + 1, now, this.o.config.retry), error });
          this.o.logger.warn('notification delivery failed, will retry', { ...ctx, error });
        }
      } catch (err) {
        this.o.logger.error('notification attempt not recorded', { ...ctx, ...errorFields(err) });
      }
    })().finally(() => {
      this.inFlight.delete(row.seq);
      this.running.delete(run);
      this.next();
    });
    this.running.add(run);
  }
}
