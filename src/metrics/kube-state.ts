import { Cron } from 'croner';
import type { CronJobMetricRow, JobMetricRow } from '../store/job-metrics.js';
import { header, labelValue, prometheusLabels, unixSeconds } from './exposition.js';

// kube-state-metrics' Job and CronJob families (internal/store/job.go and
// cronjob.go of kube-state-metrics v2) under the same names, help, types and
// labels, so dashboards and alerts written against a cluster work unchanged.
// Differences: `kube_*_labels` carries every label (as kube-state-metrics
// does with --metric-labels-allowlist=jobs=[*],cronjobs=[*]); annotations are
// not exported (they may hold what a manifest's author did not mean to publish).

const JOB_FAILURE_REASONS = ['BackoffLimitExceeded', 'DeadlineExceeded', 'Evicted'] as const;
const CONDITION_STATUSES = [
  ['True', 'true'],
  ['False', 'false'],
  ['Unknown', 'unknown'],
] as const;

interface Family<R> {
  name: string;
  help: string;
  stable: boolean;
  /** Appends the family's lines for one object; `base` is `name{namespace="…",job_name="…"` without the closing brace. */
  lines(row: R, base: string, out: string[]): void;
}

/** The status of condition `type` in a condition summary (`Complete=True,Failed=False`), or undefined. */
function conditionStatus(summary: string, type: string): string | undefined {
  if (summary === '') return undefined;
  let at = summary.startsWith(`${type}=`) ? 0 : summary.indexOf(`,${type}=`);
  if (at < 0) return undefined;
  if (at > 0) at += 1;
  const from = at + type.length + 1;
  const end = summary.indexOf(',', from);
  return summary.slice(from, end < 0 ? undefined : end);
}

function conditionLines(status: string | undefined, base: string, out: string[]): void {
  if (status === undefined) return;
  for (const [s, label] of CONDITION_STATUSES) out.push(`${base},condition="${label}"} ${status === s ? 1 : 0}\n`);
}

function labelPairs(labelsJson: string): string {
  let s = '';
  const labels = labelsJson === '{}' ? {} : (JSON.parse(labelsJson) as Record<string, string>);
  for (const [k, v] of prometheusLabels('label', labels)) s += `,${k}="${labelValue(v)}"`;
  return s;
}

const one = (_r: unknown, base: string, out: string[]): void => void out.push(`${base}} 1\n`);
function value(v: number | null, base: string, out: string[]): void {
  if (v !== null) out.push(`${base}} ${v}\n`);
}

export const JOB_FAMILIES: readonly Family<JobMetricRow>[] = [
  { name: 'kube_job_labels', help: 'Kubernetes labels converted to Prometheus labels.', stable: true, lines: (r, b, o) => void o.push(`${b}${labelPairs(r.labelsJson)}} 1\n`) },
  { name: 'kube_job_info', help: 'Information about job.', stable: true, lines: one },
  { name: 'kube_job_created', help: 'Unix creation timestamp', stable: true, lines: (r, b, o) => value(unixSeconds(r.createdAt), b, o) },
  {
    name: 'kube_job_spec_parallelism',
    help: 'The maximum desired number of pods the job should run at any given time.',
    stable: true,
    lines: (r, b, o) => value(r.parallelism, b, o),
  },
  {
    name: 'kube_job_spec_completions',
    help: 'The desired number of successfully finished pods the job should be run with.',
    stable: true,
    lines: (r, b, o) => value(r.completions, b, o),
  },
  {
    name: 'kube_job_spec_active_deadline_seconds',
    help: 'The duration in seconds relative to the startTime that the job may be active before the system tries to terminate it.',
    stable: true,
    lines: (r, b, o) => value(r.activeDeadlineSeconds, b, o),
  },
  { name: 'kube_job_status_succeeded', help: 'The number of pods which reached Phase Succeeded.', stable: true, lines: (r, b, o) => value(r.succeeded, b, o) },
  {
    name: 'kube_job_status_failed',
    help: 'The number of pods which reached Phase Failed and the reason for failure.',
    stable: true,
    lines: (r, b, o) => {
      if (r.failed === 0) return void o.push(`${b}} 0\n`);
      let known = false;
      if (conditionStatus(r.conditions, 'Failed') !== undefined) {
        for (const reason of JOB_FAILURE_REASONS) {
          const is = r.failedReason === reason;
          known ||= is;
          o.push(`${b},reason="${reason}"} ${is ? 1 : 0}\n`);
        }
      }
      if (!known) o.push(`${b},reason=""} ${r.failed}\n`);
    },
  },
  { name: 'kube_job_status_active', help: 'The number of actively running pods.', stable: true, lines: (r, b, o) => value(r.active, b, o) },
  { name: 'kube_job_status_ready', help: 'The number of ready pods that belong to this Job.', stable: false, lines: (r, b, o) => value(r.ready, b, o) },
  { name: 'kube_job_complete', help: 'The job has completed its execution.', stable: true, lines: (r, b, o) => conditionLines(conditionStatus(r.conditions, 'Complete'), b, o) },
  { name: 'kube_job_failed', help: 'The job has failed its execution.', stable: true, lines: (r, b, o) => conditionLines(conditionStatus(r.conditions, 'Failed'), b, o) },
  {
    name: 'kube_job_status_start_time',
    help: 'StartTime represents time when the job was acknowledged by the Job Manager.',
    stable: true,
    lines: (r, b, o) => value(r.startTime === null ? null : unixSeconds(r.startTime), b, o),
  },
  {
    name: 'kube_job_status_completion_time',
    help: 'CompletionTime represents time when the job was completed.',
    stable: true,
    lines: (r, b, o) => value(r.completionTime === null ? null : unixSeconds(r.completionTime), b, o),
  },
  {
    name: 'kube_job_status_suspended',
    help: 'The number of pods which reached Phase Suspended.',
    stable: false,
    lines: (r, b, o) => {
      const s = conditionStatus(r.conditions, 'Suspended');
      if (s !== undefined) o.push(`${b}} ${s === 'True' ? 1 : 0}\n`);
    },
  },
  {
    name: 'kube_job_owner',
    help: "Information about the Job's owner.",
    stable: true,
    lines: (r, b, o) =>
      void o.push(
        r.ownerCronJob === null
          ? `${b},owner_kind="",owner_name="",owner_is_controller=""} 1\n`
          : `${b},owner_kind="CronJob",owner_name="${labelValue(r.ownerCronJob)}",owner_is_controller="true"} 1\n`,
      ),
  },
];

/** The next run after the last one (or after creation), in the CronJob's zone; undefined for a schedule that does not parse. */
export function nextScheduleTime(r: CronJobMetricRow): number | undefined {
  try {
    const cron = new Cron(r.schedule, { mode: '5-part', paused: true, ...(r.timeZone === null ? {} : { timezone: r.timeZone }) });
    return cron.nextRun(new Date(r.lastScheduleTime ?? r.createdAt))?.getTime();
  } catch {
    return undefined;
  }
}

export const CRONJOB_FAMILIES: readonly Family<CronJobMetricRow>[] = [
  { name: 'kube_cronjob_labels', help: 'Kubernetes labels converted to Prometheus labels.', stable: true, lines: (r, b, o) => void o.push(`${b}${labelPairs(r.labelsJson)}} 1\n`) },
  {
    name: 'kube_cronjob_info',
    help: 'Info about cronjob.',
    stable: true,
    lines: (r, b, o) =>
      void o.push(`${b},schedule="${labelValue(r.schedule)}",concurrency_policy="${labelValue(r.concurrencyPolicy)}",timezone="${labelValue(r.timeZone ?? 'local')}"} 1\n`),
  },
  { name: 'kube_cronjob_created', help: 'Unix creation timestamp', stable: true, lines: (r, b, o) => value(unixSeconds(r.createdAt), b, o) },
  { name: 'kube_cronjob_status_active', help: 'Active holds pointers to currently running jobs.', stable: true, lines: (r, b, o) => value(r.active, b, o) },
  {
    name: 'kube_cronjob_status_last_schedule_time',
    help: 'LastScheduleTime keeps information of when was the last time the job was successfully scheduled.',
    stable: true,
    lines: (r, b, o) => value(r.lastScheduleTime === null ? null : unixSeconds(r.lastScheduleTime), b, o),
  },
  {
    name: 'kube_cronjob_status_last_successful_time',
    help: 'LastSuccessfulTime keeps information of when was the last time the job was completed successfully.',
    stable: true,
    lines: (r, b, o) => value(r.lastSuccessfulTime === null ? null : unixSeconds(r.lastSuccessfulTime), b, o),
  },
  { name: 'kube_cronjob_spec_suspend', help: 'Suspend flag tells the controller to suspend subsequent executions.', stable: true, lines: (r, b, o) => value(r.suspend ? 1 : 0, b, o) },
  {
    name: 'kube_cronjob_spec_starting_deadline_seconds',
    help: 'Deadline in seconds for starting the job if it misses scheduled time for any reason.',
    stable: true,
    lines: (r, b, o) => value(r.startingDeadlineSeconds, b, o),
  },
  {
    name: 'kube_cronjob_next_schedule_time',
    help: "Next time the cronjob should be scheduled. The time after lastScheduleTime, or after the cron job's creation time if it's never been scheduled. Use this to determine if the job is delayed.",
    stable: true,
    lines: (r, b, o) => {
      const next = r.suspend ? undefined : nextScheduleTime(r);
      if (next !== undefined) o.push(`${b}} ${unixSeconds(next)}\n`);
    },
  },
  {
    name: 'kube_cronjob_schedule_invalid',
    help: 'Emitted with value 1 for cronjobs whose schedule, in its configured timezone, cannot be parsed.',
    stable: false,
    lines: (r, b, o) => {
      if (nextScheduleTime({ ...r, suspend: false }) === undefined) o.push(`${b}} 1\n`);
    },
  },
  {
    name: 'kube_cronjob_spec_successful_job_history_limit',
    help: 'Successful job history limit tells the controller how many completed jobs should be preserved.',
    stable: false,
    lines: (r, b, o) => value(r.successfulJobsHistoryLimit, b, o),
  },
  {
    name: 'kube_cronjob_spec_failed_job_history_limit',
    help: 'Failed job history limit tells the controller how many failed jobs should be preserved.',
    stable: false,
    lines: (r, b, o) => value(r.failedJobsHistoryLimit, b, o),
  },
];

const EMPTY = Buffer.alloc(0);

/**
 * Families for a set of objects, each object's lines rendered once and kept
 * until it changes: a scrape of 10,000 Jobs is then a copy of the bytes kept,
 * plus the few Jobs that changed since the last one.
 */
class FamilyRenderer<R extends { uid: string; namespace: string; name: string }> {
  /** Each object's lines per family, in family order (empty for none), encoded once. */
  private objects = new Map<string, Buffer[]>();
  private readonly headers: Buffer[];

  constructor(
    private readonly families: readonly Family<R>[],
    private readonly nameLabel: string,
  ) {
    this.headers = families.map((f) => Buffer.from(header(f.name, f.help, 'gauge', f.stable)));
  }

  /** Every object there is. */
  replaceAll(rows: readonly R[]): void {
    this.objects = new Map();
    for (const row of rows) this.objects.set(row.uid, this.chunks(row));
  }

  /** Objects that changed, as they are now; `changed` uids without a row are gone. */
  update(changed: readonly string[], rows: readonly R[]): void {
    for (const uid of changed) this.objects.delete(uid);
    for (const row of rows) this.objects.set(row.uid, this.chunks(row));
  }

  pieces(out: Buffer[]): void {
    const all = [...this.objects.values()];
    for (let f = 0; f < this.families.length; f++) {
      out.push(this.headers[f]!);
      for (let i = 0; i < all.length; i++) {
        const c = all[i]![f]!;
        if (c.length > 0) out.push(c);
      }
    }
  }

  private chunks(row: R): Buffer[] {
    const id = `{namespace="${labelValue(row.namespace)}",${this.nameLabel}="${labelValue(row.name)}"`;
    return this.families.map((f) => {
      const lines: string[] = [];
      f.lines(row, f.name + id, lines);
      return lines.length === 0 ? EMPTY : Buffer.from(lines.join(''));
    });
  }
}

/**
 * kube-state-metrics' Job and CronJob families in the text format, kept
 * between scrapes and updated with what changed. The result is UTF-8 bytes:
 * joining 150,000 lines into one string costs more than rendering them.
 */
export class KubeStateRenderer {
  private readonly jobs = new FamilyRenderer(JOB_FAMILIES, 'job_name');
  private readonly cronJobs = new FamilyRenderer(CRONJOB_FAMILIES, 'cronjob');

  /** All Jobs, replacing what was kept. */
  setJobs(rows: readonly JobMetricRow[]): void {
    this.jobs.replaceAll(rows);
  }

  /** The Jobs of `changed` uids as they are now (absent: deleted). */
  updateJobs(changed: readonly string[], rows: readonly JobMetricRow[]): void {
    this.jobs.update(changed, rows);
  }

  setCronJobs(rows: readonly CronJobMetricRow[]): void {
    this.cronJobs.replaceAll(rows);
  }

  render(): Buffer {
    const out: Buffer[] = [];
    this.jobs.pieces(out);
    this.cronJobs.pieces(out);
    return Buffer.concat(out);
  }
}
