import { statSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pod } from '../api/types.js';
import type { Db } from '../store/db.js';
import { currentResourceVersion } from '../store/changes.js';
import { jobsChangedSince, listCronJobMetricRows, listJobMetricRows } from '../store/job-metrics.js';
import { listSources } from '../store/sources.js';
import type { WriteStats } from '../store/stats.js';
import { KubeStateRenderer } from './kube-state.js';
import { PodTransitions } from './pod-observer.js';

export interface MetricsDeps {
  db: Db;
  walPath: string;
  writeStats: () => WriteStats;
  /** Keys ready to be handled now, and keys requeued for later. */
  queue: () => { ready: number; delayed: number };
}

/** What the daemon's parts report as they work; each call is a counter bump or a histogram observation. */
export interface DaemonObserver {
  reconcilePass(ms: number): void;
  podChanged(pod: Pod): void;
  sourceFetched(source: string, ms: number, failure: string | undefined): void;
  /** A snapshot of the source was applied; repeats of the same revision are not news. */
  sourceApplied(source: string, revision: string, at: number): void;
}

/** A no-op observer, for the daemon's parts built without metrics (tests). */
export const NO_OBSERVER: DaemonObserver = { reconcilePass: () => {}, podChanged: () => {}, sourceFetched: () => {}, sourceApplied: () => {} };

/**
 * The daemon's metrics. Between scrapes the parts only bump counters and
 * observe durations; everything that can be read from the store (Jobs, queue
 * depth, sources, WAL size) is read when Prometheus asks, with a handful of
 * queries, so an idle daemon does no metrics work at all.
 */
export class DaemonMetrics implements DaemonObserver {
  readonly registry = new Registry();
  private readonly transitions = new PodTransitions();
  private readonly passes: Histogram;
  private readonly started: Counter;
  private readonly ended: Counter<'phase' | 'reason'>;
  private readonly startLatency: Histogram;
  private readonly fetchDuration: Histogram<'source'>;
  private readonly fetchFailures: Counter<'source' | 'reason'>;
  private readonly applied: Gauge<'source'>;
  private readonly revisions = new Map<string, string>();
  private readonly kubeState = new KubeStateRenderer();
  /** The last kube-state-metrics text, with the resourceVersion its Jobs were read at. */
  private jobsRead: { rv: number; text: Buffer; cronJobs: number } | undefined;

  constructor(private readonly d: MetricsDeps) {
    const registers = [this.registry];
    // The event loop delay histogram samples with a native timer: once a second, not prom-client's
    // default hundred times, so an idle daemon is not woken for it.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 1000 });
    // Gauges named like counters, which promtool's lint refuses; the same
    // counts stay in nodejs_active_handles{type} and its siblings.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.passes = new Histogram({
      name: 'gitjobs_reconcile_duration_seconds',
      help: 'Time one reconcile pass of one Job took (read, plan, apply).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    new Gauge({
      name: 'gitjobs_workqueue_depth',
      help: 'Job keys waiting to be reconciled now.',
      registers,
      collect() {
        this.set(d.queue().ready);
      },
    });
    new Gauge({
      name: 'gitjobs_workqueue_delayed',
      help: 'Job keys requeued for a later time (back-off, deadlines, TTL).',
      registers,
      collect() {
        this.set(d.queue().delayed);
      },
    });
    this.started = new Counter({ name: 'gitjobs_pods_started_total', help: 'Pods whose first container started.', registers });
    this.ended = new Counter({ name: 'gitjobs_pods_ended_total', help: 'Pods that ended, by phase and reason.', labelNames: ['phase', 'reason'], registers });
    this.startLatency = new Histogram({
      name: 'gitjobs_pod_start_latency_seconds',
      help: "Time from a pod's creation to its first container running.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.fetchDuration = new Histogram({
      name: 'gitjobs_source_fetch_duration_seconds',
      help: 'Time one fetch of a Git source took, failed or not.',
      labelNames: ['source'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.fetchFailures = new Counter({ name: 'gitjobs_source_fetch_failures_total', help: 'Failed fetches of a Git source, by reason.', labelNames: ['source', 'reason'], registers });
    this.applied = new Gauge({ name: 'gitjobs_source_last_applied_timestamp_seconds', help: 'When a new revision of the source was last applied.', labelNames: ['source'], registers });
    new Gauge({
      name: 'gitjobs_source_ready',
      help: 'Whether the source is ready (1) or its last read failed (0).',
      labelNames: ['source', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const s of listSources(d.db)) this.set({ source: s.name, kind: s.kind }, s.ready ? 1 : 0);
      },
    });
    new Counter({
      name: 'gitjobs_sqlite_transactions_total',
      help: 'Write transactions the daemon committed to its state database.',
      registers,
      collect() {
        this.reset();
        this.inc(d.writeStats().transactions);
      },
    });
    new Gauge({
      name: 'gitjobs_sqlite_wal_bytes',
      help: "Size of the state database's write-ahead log.",
      registers,
      collect() {
        this.set(fileSize(d.walPath));
      },
    });
  }

  reconcilePass(ms: number): void {
    this.passes.observe(ms / 1000);
  }

  podChanged(pod: Pod): void {
    for (const t of this.transitions.observe(pod)) {
      if (t.kind === 'started') {
        this.started.inc();
        this.startLatency.observe(t.latencyMs / 1000);
      } else {
        this.ended.inc({ phase: t.phase, reason: t.reason });
      }
    }
  }

  sourceFetched(source: string, ms: number, failure: string | undefined): void {
    this.fetchDuration.observe({ source }, ms / 1000);
    if (failure !== undefined) this.fetchFailures.inc({ source, reason: failure });
  }

  sourceApplied(source: string, revision: string, at: number): void {
    if (this.revisions.get(source) === revision) return;
    this.revisions.set(source, revision);
    this.applied.set({ source }, at / 1000);
  }

  /** The whole exposition: kube-state-metrics' series from the store, then the daemon's own. */
  async scrape(): Promise<Buffer> {
    const ksm = this.kubeStateText();
    return Buffer.concat([ksm, Buffer.from(await this.registry.metrics())]);
  }

  /**
   * The Jobs are read once, then only those the change log says changed
   * since the last scrape (pod and event changes, most of a busy daemon's
   * writes, change none of these series). CronJobs are few: read every time.
   */
  private kubeStateText(): Buffer {
    const db = this.d.db;
    // Read first: a change committed during the reads below is read again next time, never missed.
    const rv = currentResourceVersion(db);
    const last = this.jobsRead;
    const cronJobs = listCronJobMetricRows(db);
    const changed = last === undefined ? undefined : last.rv === rv ? [] : jobsChangedSince(db, last.rv, 2000);
    if (changed === undefined) this.kubeState.setJobs(listJobMetricRows(db));
    else if (changed.length > 0) this.kubeState.updateJobs(changed, listJobMetricRows(db, changed));
    else if (cronJobs.length === 0 && last!.cronJobs === 0) {
      this.jobsRead = { ...last!, rv };
      return last!.text;
    }
    this.kubeState.setCronJobs(cronJobs);
    const text = this.kubeState.render();
    this.jobsRead = { rv, text, cronJobs: cronJobs.length };
    return text;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
