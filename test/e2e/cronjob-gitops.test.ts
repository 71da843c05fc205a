import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { cronJob, cronYaml, DAY, daemonAt, jobsOf, LEAD_MS, minutes, RESTART_LEAD_MS, restartAt } from './cronjob-helpers.js';

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
