import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prometheusLabels } from '../../src/metrics/exposition.js';
import { KubeStateRenderer, nextScheduleTime } from '../../src/metrics/kube-state.js';
import type { CronJobMetricRow, JobMetricRow } from '../../src/store/job-metrics.js';

const T0 = Date.parse('2026-12-01T10:00:00.750Z');

function job(over: Partial<JobMetricRow> = {}): JobMetricRow {
  return {
    uid: 'u-' + (over.name ?? 'a'),
    namespace: 'default',
    name: 'a',
    labelsJson: '{}',
    createdAt: T0,
    completions: 1,
    parallelism: 1,
    activeDeadlineSeconds: null,
    active: 0,
    ready: 0,
    succeeded: 0,
    failed: 0,
    startTime: null,
    completionTime: null,
    conditions: '',
    failedReason: null,
    ownerCronJob: null,
    ...over,
  };
}

function cronJob(over: Partial<CronJobMetricRow> = {}): CronJobMetricRow {
  return {
    uid: 'c-' + (over.name ?? 'nightly'),
    namespace: 'default',
    name: 'nightly',
    labelsJson: '{"team":"data"}',
    createdAt: T0,
    schedule: '30 2 * * *',
    timeZone: 'UTC',
    concurrencyPolicy: 'Forbid',
    suspend: false,
    startingDeadlineSeconds: null,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    lastScheduleTime: null,
    lastSuccessfulTime: null,
    active: 0,
    ...over,
  };
}

function text(jobs: JobMetricRow[], cronJobs: CronJobMetricRow[] = []): string {
  const r = new KubeStateRenderer();
  r.setJobs(jobs);
  r.setCronJobs(cronJobs);
  return r.render().toString('utf8');
}

/** The series lines of one family, without its header. */
function series(out: string, family: string): string[] {
  return out.split('\n').filter((l) => l.startsWith(family + '{'));
}

describe('kube-state-metrics Job series', () => {
  it('counts and times as kube-state-metrics gives them, in whole seconds', () => {
    const out = text([job({ succeeded: 2, active: 1, ready: 1, startTime: T0 + 1500, completionTime: T0 + 9999, completions: 3, parallelism: 2, activeDeadlineSeconds: 60 })]);
    const id = 'namespace="default",job_name="a"';
    expect(series(out, 'kube_job_status_succeeded')).toEqual([`kube_job_status_succeeded{${id}} 2`]);
    expect(series(out, 'kube_job_status_active')).toEqual([`kube_job_status_active{${id}} 1`]);
    expect(series(out, 'kube_job_status_ready')).toEqual([`kube_job_status_ready{${id}} 1`]);
    expect(series(out, 'kube_job_created')).toEqual([`kube_job_created{${id}} ${Math.floor(T0 / 1000)}`]);
    expect(series(out, 'kube_job_status_start_time')).toEqual([`kube_job_status_start_time{${id}} ${Math.floor((T0 + 1500) / 1000)}`]);
    expect(series(out, 'kube_job_status_completion_time')).toEqual([`kube_job_status_completion_time{${id}} ${Math.floor((T0 + 9999) / 1000)}`]);
    expect(series(out, 'kube_job_spec_completions')).toEqual([`kube_job_spec_completions{${id}} 3`]);
    expect(series(out, 'kube_job_spec_parallelism')).toEqual([`kube_job_spec_parallelism{${id}} 2`]);
    expect(series(out, 'kube_job_spec_active_deadline_seconds')).toEqual([`kube_job_spec_active_deadline_seconds{${id}} 60`]);
    expect(series(out, 'kube_job_owner')).toEqual([`kube_job_owner{${id},owner_kind="",owner_name="",owner_is_controller=""} 1`]);
    expect(out).toContain('# HELP kube_job_status_succeeded [STABLE] The number of pods which reached Phase Succeeded.\n# TYPE kube_job_status_succeeded gauge\n');
    // ALPHA families carry no stability mark, as in kube-state-metrics.
    expect(out).toContain('# HELP kube_job_status_ready The number of ready pods that belong to this Job.\n');
  });

  it('leaves out what is not set: no completions, no start, no conditions', () => {
    const out = text([job({ completions: null })]);
    for (const f of ['kube_job_spec_completions', 'kube_job_status_start_time', 'kube_job_status_completion_time', 'kube_job_complete', 'kube_job_failed', 'kube_job_status_suspended', 'kube_job_spec_active_deadline_seconds']) {
      expect(series(out, f), f).toEqual([]);
    }
    expect(out).toContain('# TYPE kube_job_complete gauge');
  });

  it.for([
    { name: 'no failures', failed: 0, conditions: '', reason: null, want: ['{ID} 0'] },
    { name: 'failed pods, Job not failed', failed: 2, conditions: 'Complete=True', reason: null, want: ['{ID,reason=""} 2'] },
    {
      name: 'backoff limit',
      failed: 3,
      conditions: 'FailureTarget=True,Failed=True',
      reason: 'BackoffLimitExceeded',
      want: ['{ID,reason="BackoffLimitExceeded"} 1', '{ID,reason="DeadlineExceeded"} 0', '{ID,reason="Evicted"} 0'],
    },
    {
      name: 'a reason kube-state-metrics does not list',
      failed: 1,
      conditions: 'Failed=True',
      reason: 'PodFailurePolicy',
      want: ['{ID,reason="BackoffLimitExceeded"} 0', '{ID,reason="DeadlineExceeded"} 0', '{ID,reason="Evicted"} 0', '{ID,reason=""} 1'],
    },
  ])('kube_job_status_failed: $name', ({ failed, conditions, reason, want }) => {
    const out = text([job({ failed, conditions, failedReason: reason })]);
    expect(series(out, 'kube_job_status_failed')).toEqual(want.map((w) => 'kube_job_status_failed' + w.replace('ID', 'namespace="default",job_name="a"')));
  });

  it("names a CronJob's Job's owner", () => {
    expect(series(text([job({ name: 'nightly-29000000', ownerCronJob: 'nightly' })]), 'kube_job_owner')).toEqual([
      'kube_job_owner{namespace="default",job_name="nightly-29000000",owner_kind="CronJob",owner_name="nightly",owner_is_controller="true"} 1',
    ]);
  });

  it('gives a condition as three series, one per status, the one it has set to 1', () => {
    const out = text([job({ conditions: 'Suspended=False,Complete=True' })]);
    expect(series(out, 'kube_job_complete')).toEqual([
      'kube_job_complete{namespace="default",job_name="a",condition="true"} 1',
      'kube_job_complete{namespace="default",job_name="a",condition="false"} 0',
      'kube_job_complete{namespace="default",job_name="a",condition="unknown"} 0',
    ]);
    expect(series(out, 'kube_job_failed')).toEqual([]);
    expect(series(out, 'kube_job_status_suspended')).toEqual(['kube_job_status_suspended{namespace="default",job_name="a"} 0']);
  });

  it('escapes label values and converts label names as kube-state-metrics does', () => {
    const out = text([job({ name: 'x', labelsJson: JSON.stringify({ 'app.kubernetes.io/name': 'say "hi"\\n', appName: 'a', app_name: 'b' }) })]);
    expect(series(out, 'kube_job_labels')).toEqual([
      'kube_job_labels{namespace="default",job_name="x",label_app_kubernetes_io_name="say \\"hi\\"\\\\n",label_app_name_conflict1="a",label_app_name_conflict2="b"} 1',
    ]);
    expect(prometheusLabels('label', { fooBar: '1', foo_bar: '2', 'foo.bar': '3' }).map(([k]) => k)).toEqual([
      'label_foo_bar_conflict1',
      'label_foo_bar_conflict2',
      'label_foo_bar_conflict3',
    ]);
  });

  it('updates the Jobs that changed, forgets a deleted one and keeps the rest', () => {
    const r = new KubeStateRenderer();
    r.setJobs([job({ name: 'a' }), job({ name: 'b', active: 1 }), job({ name: 'c' })]);
    r.updateJobs(['u-a', 'u-c', 'u-new'], [job({ name: 'a', active: 4 }), job({ name: 'new', active: 2 })]);
    expect(series(r.render().toString(), 'kube_job_status_active')).toEqual([
      'kube_job_status_active{namespace="default",job_name="b"} 1',
      'kube_job_status_active{namespace="default",job_name="a"} 4',
      'kube_job_status_active{namespace="default",job_name="new"} 2',
    ]);
  });
});

describe('kube-state-metrics CronJob series', () => {
  it('gives the next schedule after the last one, or after creation, in the CronJob zone', () => {
    expect(nextScheduleTime(cronJob())).toBe(Date.parse('2026-12-02T02:30:00Z'));
    expect(nextScheduleTime(cronJob({ lastScheduleTime: Date.parse('2026-12-05T02:30:00Z') }))).toBe(Date.parse('2026-12-06T02:30:00Z'));
    expect(nextScheduleTime(cronJob({ timeZone: 'Europe/Paris', schedule: '0 9 * * *' }))).toBe(Date.parse('2026-12-02T08:00:00Z'));
    expect(nextScheduleTime(cronJob({ schedule: 'not a schedule' }))).toBeUndefined();
  });

  it('renders info, times and limits, and flags an invalid schedule instead of a next time', () => {
    const out = text([], [cronJob(), cronJob({ name: 'broken', schedule: '61 * * * *', suspend: true, timeZone: null })]);
    expect(series(out, 'kube_cronjob_info')).toEqual([
      'kube_cronjob_info{namespace="default",cronjob="nightly",schedule="30 2 * * *",concurrency_policy="Forbid",timezone="UTC"} 1',
      'kube_cronjob_info{namespace="default",cronjob="broken",schedule="61 * * * *",concurrency_policy="Forbid",timezone="local"} 1',
    ]);
    expect(series(out, 'kube_cronjob_next_schedule_time')).toEqual([`kube_cronjob_next_schedule_time{namespace="default",cronjob="nightly"} ${Date.parse('2026-12-02T02:30:00Z') / 1000}`]);
    expect(series(out, 'kube_cronjob_schedule_invalid')).toEqual(['kube_cronjob_schedule_invalid{namespace="default",cronjob="broken"} 1']);
    expect(series(out, 'kube_cronjob_spec_suspend')).toEqual(['kube_cronjob_spec_suspend{namespace="default",cronjob="nightly"} 0', 'kube_cronjob_spec_suspend{namespace="default",cronjob="broken"} 1']);
    expect(series(out, 'kube_cronjob_labels')[0]).toBe('kube_cronjob_labels{namespace="default",cronjob="nightly",label_team="data"} 1');
  });
});

describe('the exposition', () => {
  it('passes promtool check metrics, with every family and awkward values', () => {
    const out = text(
      [
        job({ name: 'ok', succeeded: 1, conditions: 'Complete=True', startTime: T0, completionTime: T0 + 1000, labelsJson: '{"a":"<b>\\"x\\"</b>"}' }),
        job({ name: 'bad', failed: 2, conditions: 'FailureTarget=True,Failed=True', failedReason: 'DeadlineExceeded', activeDeadlineSeconds: 5 }),
        job({ name: 'idle', conditions: 'Suspended=True' }),
      ],
      [cronJob(), cronJob({ name: 'later', lastScheduleTime: T0, lastSuccessfulTime: T0, startingDeadlineSeconds: 30, active: 1 })],
    );
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: out, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
