import { afterEach, describe, expect, it } from 'vitest';
import { condition, waitFor, type DaemonHandle, type JobJson } from '../helpers/e2e.js';
import { cronJob, cronYaml, DAY, daemonAt, eventsOf, jobsOf, LEAD_MS, minutes, restartAt } from './cronjob-fixture.js';

// CronJobs end to end: the real daemon, real processes, the real CLI. Titles in
// quotes are Kubernetes' own (test/e2e/apps/cronjob.go) where the scenario applies.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const M = 60_000;
const DUE = DAY + M; // 2030-01-01T00:01:00Z

describe('CronJob', () => {
  it('runs on schedule: a Job named after the minute, owned by the CronJob, with the template labels and the scheduled-timestamp annotation; "should support timezone"', async () => {
    // 00:01 UTC is 05:31 in Kolkata (+05:30): both CronJobs are due at once.
    d = await daemonAt(DUE - LEAD_MS, {
      'hello.yaml': cronYaml('hello', '  schedule: "* * * * *"\n'),
      'tz.yaml': cronYaml('kolkata', '  schedule: "31 5 * * *"\n  timeZone: Asia/Kolkata\n'),
    });
    const name = `hello-${minutes(DUE)}`;
    const job = await waitFor('the scheduled Job finished', () => {
      const j = d!.job(name);
      return condition(j, 'Complete') ? j : undefined;
    });
    const meta = job.metadata as JobJson['metadata'] & { annotations: Record<string, string>; ownerReferences: { kind: string; name: string; controller: boolean }[] };
    expect(meta.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2030-01-01T00:01:00Z');
    expect(meta.ownerReferences).toEqual([expect.objectContaining({ kind: 'CronJob', name: 'hello', controller: true })]);
    expect(meta.labels['made-by']).toBe('hello');
    expect(jobsOf(d, 'hello')).toEqual([name]);
    const cj = await waitFor('the CronJob saw it complete', () => {
      const c = cronJob(d!, 'hello');
      return c?.status.lastSuccessfulTime !== undefined && (c.status.active ?? []).length === 0 ? c : undefined;
    });
    expect(cj.status.lastScheduleTime).toBe('2030-01-01T00:01:00Z');
    const table = d.cli(['get', 'cj']);
    expect(table.stdout).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    expect(table.stdout).toMatch(/\nhello\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+/);
    const wide = d.cli(['get', 'cronjobs', '-o', 'wide']);
    expect(wide.stdout).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    expect(wide.stdout).toMatch(/\s+c\s+busybox\s+<none>\n$/);
    expect(eventsOf(d, 'hello').map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob']));
    // "should not emit unexpected warnings"
    expect(eventsOf(d, 'hello').filter((e) => e.type === 'Warning')).toEqual([]);
    expect(d.cli(['get', 'cronjob', 'hello', '-o', 'jsonpath={.spec.jobTemplate.spec.template.spec.containers[0].image}']).stdout).toBe('busybox');
    const described = d.cli(['describe', 'cronjob', 'hello']).stdout;
    expect(described).toMatch(/^Name:\s+hello\n/);
    expect(described).toMatch(/\nSchedule:\s+\* \* \* \* \*\n/);
    expect(described).toMatch(/\nLast Schedule Time:\s+Tue, 01 Jan 2030 00:01:00 \+0000\n/);
    expect(described).toMatch(/\nActive Jobs:\s+<none>\n/);
    expect(described).toMatch(/Normal\s+SuccessfulCreate\s+.*cronjob-controller\s+Created job hello-/);

    const inKolkata = `kolkata-${minutes(DUE)}`;
    await waitFor('the run in Kolkata time', () => jobsOf(d!, 'kolkata').join() === inKolkata);
    const r = d.cli(['get', 'job', inKolkata, '-o', "jsonpath={.metadata.annotations['batch\\.kubernetes\\.io/cronjob-scheduled-timestamp']}"]);
    expect(r.stdout).toBe('2030-01-01T05:31:00+05:30');
    expect(d.cli(['get', 'cj', 'kolkata']).stdout).toMatch(/\nkolkata\s+31 5 \* \* \*\s+Asia\/Kolkata\s+False\s+/);
  });

  it('a daemon SIGKILLed across a due time starts exactly one Job for it on restart, and no second on the next restart', async () => {
    const files = { 'k.yaml': cronYaml('crash', '  schedule: "* * * * *"\n') };
    d = await daemonAt(DUE - LEAD_MS, files);
    expect(cronJob(d, 'crash')).toBeDefined();
    expect(jobsOf(d, 'crash')).toEqual([]);
    d = await restartAt(d, DUE + 10_000, 'SIGKILL');
    const name = `crash-${minutes(DUE)}`;
    await waitFor('the missed run started', () => jobsOf(d!, 'crash').join() === name);
    d = await restartAt(d, DUE + 20_000, 'SIGKILL');
    await waitFor('the restarted daemon looked at the CronJob', () => d!.log().includes('daemon ready'));
    await waitFor('the run finished', () => condition(d!.job(name), 'Complete'));
    expect(jobsOf(d, 'crash')).toEqual([name]);
    expect(eventsOf(d, 'crash').filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(1);
  });

  it('startingDeadlineSeconds passed while the daemon was down: no run, and the MissSchedule event', async () => {
    const files = { 'late.yaml': cronYaml('late', '  schedule: "* * * * *"\n  startingDeadlineSeconds: 10\n') };
    d = await daemonAt(DUE - LEAD_MS, files);
    d = await restartAt(d, DUE + 30_000, 'SIGKILL');
    const missed = await waitFor('the miss reported', () => eventsOf(d!, 'late').find((e) => e.reason === 'MissSchedule'));
    expect(missed).toEqual({ type: 'Warning', reason: 'MissSchedule', message: 'Missed scheduled time to start a job: Tue, 01 Jan 2030 00:01:00 +0000' });
    expect(jobsOf(d, 'late')).toEqual([]);
    expect(cronJob(d, 'late')?.status.lastScheduleTime).toBeUndefined();
  });

  it('"should be able to schedule after more than 100 missed schedule"', async () => {
    const files = { 'm.yaml': cronYaml('missed', '  schedule: "* * * * *"\n') };
    d = await daemonAt(DUE - LEAD_MS, files);
    d = await restartAt(d, DUE + 3 * 60 * M + 10_000, 'SIGKILL');
    const latest = `missed-${minutes(DUE + 3 * 60 * M)}`;
    await waitFor('only the most recent missed time started', () => jobsOf(d!, 'missed').join() === latest);
    expect(eventsOf(d, 'missed')).toContainEqual({
      type: 'Warning',
      reason: 'TooManyMissedTimes',
      message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    });
  });

});
