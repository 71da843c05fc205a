import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { condition, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { cronJob, cronYaml, DAY, daemonAt, eventsOf, jobsOf, LEAD_MS, minutes } from './cronjob-fixture.js';

// CronJobs through the CLI and the source: history limits, suspend, deletion
// and prunes. Titles in quotes are Kubernetes' own (test/e2e/apps/cronjob.go).

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const M = 60_000;
const DUE = DAY + M;
/** Never due during a test: its Jobs come from `create job --from`. */
const YEARLY = '  schedule: "0 0 1 1 *"\n';

const finished = (name: string) => () => {
  const j = d!.job(name);
  return condition(j, 'Complete') || condition(j, 'Failed') ? j : undefined;
};

describe('CronJob through the CLI', () => {
  it('"should delete successful finished jobs with limit of one successful job" and "should delete failed finished jobs with limit of one job"', async () => {
    d = await daemonAt(DAY, {
      'ok.yaml': cronYaml('ok', `${YEARLY}  successfulJobsHistoryLimit: 1\n`),
      'bad.yaml': cronYaml('bad', `${YEARLY}  failedJobsHistoryLimit: 1\n`, { command: '["false"]', extra: '      backoffLimit: 0\n' }),
    });
    for (const cj of ['ok', 'bad']) {
      const first = d.cli(['create', 'job', `${cj}-a`, `--from=cronjob/${cj}`]);
      expect(first).toMatchObject({ code: 0, stdout: `job.batch/${cj}-a created\n` });
      await waitFor(`${cj}-a finished`, finished(`${cj}-a`));
      expect(d.cli(['create', 'job', `${cj}-b`, `--from=cronjob/${cj}`]).code).toBe(0);
      await waitFor(`${cj}-b finished`, finished(`${cj}-b`));
      await waitFor(`${cj}-a deleted by the history limit`, () => jobsOf(d!, cj).join() === `${cj}-b`);
      expect(eventsOf(d, cj)).toContainEqual({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${cj}-a` });
      // The deleted run stays in the history, as for any deleted Job.
      const history = d.cli(['history', 'job', `${cj}-a`, '-o', 'json']);
      expect(history.code).toBe(0);
      expect(history.stdout).toContain('"deletedBy": "cronjob-controller"');
    }
    const b = d.cli(['get', 'job', 'ok-b', '-o', "jsonpath={.metadata.annotations['cronjob\\.kubernetes\\.io/instantiate']}"]);
    expect(b.stdout).toBe('manual');
    expect(condition(d.job('bad-b'), 'Failed')).toBeDefined();
    expect(d.cli(['create', 'job', 'x', '--from=cronjob/nope']).stderr).toContain('cronjobs.batch "nope" not found');
  });

  it('"should not schedule jobs when suspended"; resumed with patch, the missed time runs', async () => {
    d = await daemonAt(DUE - LEAD_MS, {
      'paused.yaml': cronYaml('paused', '  schedule: "* * * * *"\n  suspend: true\n'),
      'witness.yaml': cronYaml('witness', '  schedule: "* * * * *"\n'),
    });
    // The unsuspended twin has run: the due time has passed for both.
    await waitFor('the witness ran', () => jobsOf(d!, 'witness').length === 1);
    expect(jobsOf(d, 'paused')).toEqual([]);
    expect(d.cli(['get', 'cj', 'paused']).stdout).toMatch(/\npaused\s+\* \* \* \* \*\s+<none>\s+True\s+0\s+<none>\s+/);
    const patched = d.cli(['patch', 'cronjob', 'paused', '-p', '{"spec":{"suspend":false}}']);
    expect(patched).toMatchObject({ code: 0, stdout: 'cronjob.batch/paused patched\n' });
    await waitFor('the missed time started', () => jobsOf(d!, 'paused').join() === `paused-${minutes(DUE)}`);
    const refused = d.cli(['patch', 'cronjob', 'paused', '-p', '{"spec":{"schedule":"61 * * * *"}}']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The CronJob "paused" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
  });

  it('"should remove from active list jobs that have been deleted"', async () => {
    d = await daemonAt(DUE - LEAD_MS, { 'long.yaml': cronYaml('long', '  schedule: "* * * * *"\n', { command: '["sleep", "300"]' }) });
    const name = `long-${minutes(DUE)}`;
    await waitFor('the run active', () => cronJob(d!, 'long')?.status.active?.[0]?.name === name);
    expect(d.cli(['delete', 'job', name]).code).toBe(0);
    await waitFor('the active list emptied', () => (cronJob(d!, 'long')?.status.active ?? []).length === 0);
    expect(eventsOf(d, 'long').map((e) => e.reason)).toContain('MissingJob');
  });

  it('delete cronjob (by name or -f) takes its Jobs along, --cascade=orphan leaves them; a CronJob removed from the folder is pruned with its Jobs', async () => {
    d = await daemonAt(DAY, {
      'a.yaml': cronYaml('a', YEARLY, { command: '["sleep", "300"]' }),
      'b.yaml': cronYaml('b', YEARLY, { command: '["sleep", "300"]' }),
      'c.yaml': cronYaml('c', YEARLY, { command: '["sleep", "300"]' }),
    });
    for (const cj of ['a', 'b', 'c']) expect(d.cli(['create', 'job', `${cj}-run`, `--from=cronjob/${cj}`]).code).toBe(0);
    const before = cronJob(d, 'a')!.metadata.uid;
    const orphaned = d.cli(['delete', 'cronjob', 'a', '--cascade=orphan']);
    expect(orphaned).toMatchObject({ code: 0, stdout: 'cronjob.batch "a" deleted\n' });
    // By its manifest, as `kubectl delete -f` does.
    expect(d.cli(['delete', '-f', join(d.jobsDir, 'b.yaml')])).toMatchObject({ code: 0, stdout: 'cronjob.batch "b" deleted\n' });
    d.removeJob('c.yaml');
    await waitFor('c pruned', () => cronJob(d!, 'c') === undefined);
    await waitFor("b's and c's Jobs gone", () => d!.job('b-run') === undefined && d!.job('c-run') === undefined, 30_000);
    // The manifest still declares it: the source makes it again, as a GitOps controller would.
    expect(d.cli(['sync']).code).toBe(0);
    expect(cronJob(d, 'a')?.metadata.uid).not.toBe(before);
    const kept = d.job('a-run') as unknown as { metadata: { ownerReferences?: unknown } } | undefined;
    expect(kept).toBeDefined();
    expect(kept?.metadata.ownerReferences).toBeUndefined();
    // A Job a CronJob made is not the folder's: the rescan did not prune it as missing.
    expect(d.job('a-run')).toBeDefined();
  });
});
