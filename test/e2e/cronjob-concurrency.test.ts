import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { cronJob, cronYaml, DAY, daemonAt, eventsOf, jobsOf, LEAD_MS, minutes, RESTART_LEAD_MS, restartAt } from './cronjob-helpers.js';

// concurrencyPolicy end to end; titles are Kubernetes' own (test/e2e/apps/cronjob.go).
// The second due time is reached by restarting the daemon (SIGTERM: the first
// run's pod keeps running) with its clock just before it, instead of a minute's wait.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const M = 60_000;
const DUE = DAY + M;

describe('CronJob concurrencyPolicy', () => {
  it('"should not schedule new jobs when ForbidConcurrent"', async () => {
    const files = { 'f.yaml': cronYaml('forbid', '  schedule: "* * * * *"\n  concurrencyPolicy: Forbid\n', { command: '["sleep", "300"]' }) };
    d = await daemonAt(DUE - LEAD_MS, files);
    await waitFor('the first run active', () => (cronJob(d!, 'forbid')?.status.active ?? []).length === 1);
    // The next due time comes while the first run still runs: a restart just before it, the pod left running.
    d = await restartAt(d, DUE + M - RESTART_LEAD_MS);
    await waitFor('the second due time refused', () => eventsOf(d!, 'forbid').some((e) => e.reason === 'JobAlreadyActive'));
    expect(eventsOf(d, 'forbid').find((e) => e.reason === 'JobAlreadyActive')?.message).toBe(
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    );
    expect(jobsOf(d, 'forbid')).toEqual([`forbid-${minutes(DUE)}`]);
    expect(cronJob(d, 'forbid')?.status.active?.map((a) => a.name)).toEqual([`forbid-${minutes(DUE)}`]);
  });

  it('"should replace jobs when ReplaceConcurrent"', async () => {
    const files = { 'r.yaml': cronYaml('replace', '  schedule: "* * * * *"\n  concurrencyPolicy: Replace\n', { command: '["sleep", "300"]' }) };
    d = await daemonAt(DUE - LEAD_MS, files);
    await waitFor('the first run active', () => (cronJob(d!, 'replace')?.status.active ?? []).length === 1);
    d = await restartAt(d, DUE + M - RESTART_LEAD_MS);
    const second = `replace-${minutes(DUE + M)}`;
    await waitFor('the first run replaced', () => jobsOf(d!, 'replace').join() === second, 30_000);
    expect(cronJob(d, 'replace')?.status.active?.map((a) => a.name)).toEqual([second]);
    expect(eventsOf(d, 'replace')).toContainEqual({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job replace-${minutes(DUE)}` });
  });

});
