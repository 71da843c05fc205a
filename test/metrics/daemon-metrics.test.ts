import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CronJob } from '../../src/api/cronjob.js';
import { defaultCronJobSpec } from '../../src/manifest/cronjob.js';
import { DaemonMetrics } from '../../src/metrics/daemon-metrics.js';
import { insertCronJob, putCronJobStatus } from '../../src/store/cronjobs.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertJob, removeJob, updateJob } from '../../src/store/jobs.js';
import { insertPod } from '../../src/store/pods.js';
import { putJobStatus } from '../../src/store/status.js';
import { countTransactions } from '../../src/store/stats.js';
import { condition, job, pod, status, T0 } from '../helpers/builders.js';

// The scrape against a real state database: the Jobs are read in full once,
// then only those the change log names, and an unchanged store gives the
// same answer without reading the Jobs again.

let dir: string;
let db: Db;
let metrics: DaemonMetrics;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitjobs-metrics-'));
  db = openDb(join(dir, 'gitjobs.db'));
  metrics = new DaemonMetrics({ db, walPath: join(dir, 'gitjobs.db-wal'), writeStats: countTransactions(db), queue: () => ({ ready: 3, delayed: 1 }) });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function series(prefix: string): Promise<string[]> {
  const text = (await metrics.scrape()).toString('utf8');
  return text.split('\n').filter((l) => l.startsWith(prefix));
}

describe('DaemonMetrics.scrape', () => {
  it("follows the Jobs' writes between scrapes: a status change, a spec change, a deletion, a new Job", async () => {
    const a = job({ name: 'a', uid: 'ua', creationTimestamp: T0 });
    const b = job({ name: 'b', uid: 'ub', creationTimestamp: T0 });
    db.transaction(() => {
      insertJob(db, a);
      insertJob(db, b);
    })();
    expect(await series('kube_job_status_succeeded{')).toEqual([
      'kube_job_status_succeeded{namespace="default",job_name="a"} 0',
      'kube_job_status_succeeded{namespace="default",job_name="b"} 0',
    ]);

    db.transaction(() => putJobStatus(db, 'ua', status({ succeeded: 1, conditions: [condition('Complete', 'CompletionsReached', '', T0 + 5000)], completionTime: T0 + 5000 })))();
    db.transaction(() => updateJob(db, { ...b, generation: 2, spec: { ...b.spec, activeDeadlineSeconds: 90 } }))();
    expect(await series('kube_job_status_succeeded{namespace="default",job_name="a"}')).toEqual(['kube_job_status_succeeded{namespace="default",job_name="a"} 1']);
    expect(await series('kube_job_complete{namespace="default",job_name="a",condition="true"}')).toEqual(['kube_job_complete{namespace="default",job_name="a",condition="true"} 1']);
    expect(await series('kube_job_spec_active_deadline_seconds{')).toEqual(['kube_job_spec_active_deadline_seconds{namespace="default",job_name="b"} 90']);

    db.transaction(() => {
      removeJob(db, 'ua');
      insertJob(db, job({ name: 'c', uid: 'uc', creationTimestamp: T0 }));
    })();
    expect(await series('kube_job_info{')).toEqual(['kube_job_info{namespace="default",job_name="b"} 1', 'kube_job_info{namespace="default",job_name="c"} 1']);
  });

  it('answers the same while only pods changed', async () => {
    const a = job({ name: 'a', uid: 'ua' });
    db.transaction(() => insertJob(db, a))();
    const first = (await metrics.scrape()).toString();
    db.transaction(() => insertPod(db, pod({ job: a }), undefined, T0))();
    const second = (await metrics.scrape()).toString();
    const ksm = (t: string) => t.split('\n').filter((l) => l.startsWith('kube_'));
    expect(ksm(second)).toEqual(ksm(first));
    expect(second).toMatch(/^gitjobs_workqueue_depth 3$/m);
    expect(second).toMatch(/^gitjobs_workqueue_delayed 1$/m);
  });

  it('counts the pods, passes and source applies it is told of', async () => {
    const p = pod({ phase: 'Pending' });
    metrics.podChanged({ ...p, status: { ...p.status, phase: 'Running', containerStatuses: [{ name: 'main', state: { running: { startedAt: p.creationTimestamp + 300 } }, ready: true, restartCount: 0 }] } });
    metrics.podChanged({ ...p, status: { ...p.status, phase: 'Failed', reason: 'DeadlineExceeded' } });
    metrics.reconcilePass(2);
    metrics.sourceApplied('repo', 'main@sha1:1', 5000);
    metrics.sourceApplied('repo', 'main@sha1:1', 9000);
    metrics.sourceFetched('repo', 40, 'RefNotFound');
    const text = (await metrics.scrape()).toString();
    expect(text).toMatch(/^gitjobs_pods_started_total 1$/m);
    expect(text).toMatch(/^gitjobs_pods_ended_total\{phase="Failed",reason="DeadlineExceeded"\} 1$/m);
    expect(text).toMatch(/^gitjobs_pod_start_latency_seconds_sum 0.3$/m);
    expect(text).toMatch(/^gitjobs_reconcile_duration_seconds_count 1$/m);
    expect(text).toMatch(/^gitjobs_source_last_applied_timestamp_seconds\{source="repo"\} 5$/m);
    expect(text).toMatch(/^gitjobs_source_fetch_failures_total\{source="repo",reason="RefNotFound"\} 1$/m);
    expect(text).toMatch(/^gitjobs_source_fetch_duration_seconds_count\{source="repo"\} 1$/m);
  });

  it("gives the CronJobs' series and names the CronJob that owns a Job", async () => {
    const cj: CronJob = {
      uid: 'cu',
      namespace: 'default',
      name: 'every5',
      labels: { team: 'ops' },
      annotations: {},
      creationTimestamp: T0,
      generation: 1,
      spec: defaultCronJobSpec({
        schedule: '*/5 * * * *',
        timeZone: 'UTC',
        concurrencyPolicy: 'Forbid',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', command: ['true'] }] } } } },
      }),
      origin: { kind: 'dir', source: '/jobs', path: 'c.yaml', line: 1, revision: 'sha256:1' },
    };
    db.transaction(() => {
      insertCronJob(db, cj);
      putCronJobStatus(db, 'cu', { active: [{ namespace: 'default', name: 'every5-1', uid: 'ju' }], lastScheduleTime: T0 + 300_000 });
      insertJob(db, { ...job({ name: 'every5-1', uid: 'ju' }), owner: { kind: 'CronJob', uid: 'cu', name: 'every5' } });
    })();
    expect(await series('kube_cronjob_info{')).toEqual(['kube_cronjob_info{namespace="default",cronjob="every5",schedule="*/5 * * * *",concurrency_policy="Forbid",timezone="UTC"} 1']);
    expect(await series('kube_cronjob_status_active{')).toEqual(['kube_cronjob_status_active{namespace="default",cronjob="every5"} 1']);
    expect(await series('kube_cronjob_status_last_schedule_time{')).toEqual([`kube_cronjob_status_last_schedule_time{namespace="default",cronjob="every5"} ${(T0 + 300_000) / 1000}`]);
    expect(await series('kube_cronjob_next_schedule_time{')).toEqual([`kube_cronjob_next_schedule_time{namespace="default",cronjob="every5"} ${(T0 + 600_000) / 1000}`]);
    expect(await series('kube_cronjob_spec_successful_job_history_limit{')).toEqual(['kube_cronjob_spec_successful_job_history_limit{namespace="default",cronjob="every5"} 3']);
    expect(await series('kube_cronjob_labels{')).toEqual(['kube_cronjob_labels{namespace="default",cronjob="every5",label_team="ops"} 1']);
    expect(await series('kube_job_owner{')).toEqual(['kube_job_owner{namespace="default",job_name="every5-1",owner_kind="CronJob",owner_name="every5",owner_is_controller="true"} 1']);
  });
});
