import { afterEach, describe, expect, it } from 'vitest';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';
import { cronYaml } from './cronjob-fixture.js';

// CronJobs through the daemon's Kubernetes API, read by the real kubectl.

let d: ApiDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

describe('CronJobs through the API', () => {
  it('kubectl lists, gets and describes them, by their short name too', async () => {
    d = await startApiDaemon({ files: { 'n.yaml': cronYaml('nightly', '  schedule: "30 2 * * *"\n  timeZone: Europe/Berlin\n') } });
    const table = d.kubectl(['get', 'cj']);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    expect(table.stdout).toMatch(/\nnightly\s+30 2 \* \* \*\s+Europe\/Berlin\s+False\s+0\s+<none>\s+/);
    const one = d.kubectl(['get', 'cronjob', 'nightly', '-o', 'json']);
    expect(JSON.parse(one.stdout)).toMatchObject({ kind: 'CronJob', spec: { schedule: '30 2 * * *', concurrencyPolicy: 'Allow', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } } } });
    const described = d.kubectl(['describe', 'cronjob', 'nightly']);
    expect(described.stdout).toMatch(/^Name:\s+nightly\n/);
    expect(described.stdout).toMatch(/\nSchedule:\s+30 2 \* \* \*\n/);
    // Creating one is the source's: the API refuses it as gitjobs apply does (deleting is gitjobs delete's, tested beside the API).
    const created = d.kubectl(['create', 'cronjob', 'other', '--image=busybox', '--schedule=* * * * *']);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(/does not allow this method on the requested resource: POST/);
  });
});
