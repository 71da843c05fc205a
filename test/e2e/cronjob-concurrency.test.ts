import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { cronJob, cronYaml, DAY, daemonAt, eventsOf, jobsOf, LEAD_MS, minutes, RESTART_LEAD_MS, restartAt } from './cronjob-fixture.js';

// concurrencyPolicy end to end; titles are Kubernetes' own (test/e2e/apps/cronjob.go).
// One daemon holds a CronJob of each policy, whose first runs last. The second
// due time is reached by restarting the daemon (SIGTERM: the running pods stay)
// with its clock just before it, instead of a minute's wait.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const M = 60_000;
const DUE = DAY + M;
const long = { command: '["sleep", "300"]' };

describe('CronJob concurrencyPolicy', () => {
  it('"should schedule multiple jobs concurrently", "should not schedule new jobs when ForbidConcurrent", "should replace jobs when ReplaceConcurrent"', async () => {
    d = await daemonAt(DUE - LEAD_MS, {
      'allow.yaml': cronYaml('allow', '  schedule: "* * * * *"\n', long),
      'forbid.yaml': cronYaml('forbid', '  schedule: "* * * * *"\n  concurrencyPolicy: Forbid\n', long),
      'replace.yaml': cronYaml('replace', '  schedule: "* * * * *"\n  concurrencyPolicy: Replace\n', long),
    });
    for (const name of ['allow', 'forbid', 'replace']) {
      await waitFor(`${name}'s first run active`, () => (cronJob(d!, name)?.status.active ?? []).length === 1);
    }
    d = await restartAt(d, DUE + M - RESTART_LEAD_MS);
    const [first, second] = [minutes(DUE), minutes(DUE + M)];

    // Allow: both runs at once.
    await waitFor('allow runs both', () => (cronJob(d!, 'allow')?.status.active ?? []).length === 2);
    expect(jobsOf(d, 'allow')).toEqual([`allow-${first}`, `allow-${second}`]);

    // Forbid: the second due time is refused while the first runs.
    await waitFor('the second due time refused', () => eventsOf(d!, 'forbid').some((e) => e.reason === 'JobAlreadyActive'));
    expect(eventsOf(d, 'forbid').find((e) => e.reason === 'JobAlreadyActive')?.message).toBe(
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    );
    expect(jobsOf(d, 'forbid')).toEqual([`forbid-${first}`]);
    expect(cronJob(d, 'forbid')?.status.active?.map((a) => a.name)).toEqual([`forbid-${first}`]);

    // Replace: the first run deleted, the second started.
    await waitFor('the first run replaced', () => jobsOf(d!, 'replace').join() === `replace-${second}`, 30_000);
    expect(cronJob(d, 'replace')?.status.active?.map((a) => a.name)).toEqual([`replace-${second}`]);
    expect(eventsOf(d, 'replace')).toContainEqual({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job replace-${first}` });
  });
});
