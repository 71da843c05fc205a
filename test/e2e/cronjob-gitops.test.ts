import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { removeTempDirs, WorkRepo } from '../source/fixture.js';
import { cronJob, cronYaml, DAY, daemonAt, jobsOf, LEAD_MS, minutes, RESTART_LEAD_MS, restartAt } from './cronjob-fixture.js';

// A CronJob edited in the watched folder: the next due time uses the new
// manifest, and the Jobs already made are never rewritten.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const M = 60_000;
const DUE = DAY + M;

describe('CronJob from the source', () => {
  it('a template and schedule change applies from the next due time; the Job already made keeps its template', async () => {
    const v1 = cronYaml('edited', '  schedule: "* * * * *"\n', { command: '["sleep", "300"]' });
    d = await daemonAt(DUE - LEAD_MS, { 'e.yaml': v1 });
    const first = `edited-${minutes(DUE)}`;
    await waitFor('the first run active', () => (cronJob(d!, 'edited')?.status.active ?? []).length === 1);
    d.writeJob('e.yaml', v1.replace('"* * * * *"', '"*/2 * * * *"').replace('{made-by: edited}', '{made-by: edited, version: "2"}'));
    await waitFor('the new schedule applied', () => cronJob(d!, 'edited')?.spec.schedule === '*/2 * * * *');
    d = await restartAt(d, DUE + M - RESTART_LEAD_MS);
    const second = `edited-${minutes(DUE + M)}`;
    await waitFor('the next run', () => jobsOf(d!, 'edited').join() === [first, second].join());
    const label = (name: string) => d!.cli(['get', 'job', name, '-o', 'jsonpath={.metadata.labels.version}']).stdout;
    expect(label(second)).toBe('2');
    expect(label(first)).toBe('');
  });
});

describe('CronJob from a Git repository', () => {
  afterAll(() => removeTempDirs());

  it("runs in the checkout of the commit it was read from, with the commit's provenance", async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/script.sh', 'echo from-the-checkout\n').write('jobs/nightly.yaml', cronYaml('nightly', '  schedule: "* * * * *"\n', { command: '["sh", "jobs/script.sh"]' })).commit('Add nightly');
    d = await startDaemon({ sourceArgs: ['--repo', repo.dir, '--path', 'jobs'], env: { GITJOBS_CLOCK_START: new Date(DUE - LEAD_MS).toISOString() } });
    const name = `nightly-${minutes(DUE)}`;
    await waitFor('the scheduled run finished', () => condition(d!.job(name), 'Complete'));
    const pod = d.pods(`job-name=${name}`)[0]!;
    expect(d.cli(['logs', pod.metadata.name]).stdout).toBe('from-the-checkout\n');
    expect(d.cli(['describe', 'cronjob', 'nightly']).stdout).toMatch(new RegExp(`\\nRevision:\\s+main@sha1:${repo.head()}\\n`));
  });
});
