import { describe, expect, it } from 'vitest';
import type { CronJob } from '../../../src/api/cronjob.js';
import { toCronJobObject } from '../../../src/cli/print/cronjob-object.js';
import { printCronJobsTable } from '../../../src/cli/print/cronjobs-table.js';
import { describeCronJob } from '../../../src/cli/print/describe-cronjob.js';
import { defaultCronJobSpec } from '../../../src/manifest/cronjob.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const MIN = 60_000;

function cronJob(spec: Record<string, unknown> = {}): CronJob {
  return {
    uid: 'cj-uid',
    namespace: 'default',
    name: 'nightly',
    labels: {},
    annotations: {},
    creationTimestamp: T0,
    generation: 1,
    spec: defaultCronJobSpec({
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'backup', image: 'busybox:1.36', command: ['true'] }] } } } },
      ...spec,
    }),
    origin: { kind: 'dir', source: '/srv/jobs', path: 'nightly.yaml', line: 1 },
  };
}

describe('get cronjobs', () => {
  it("prints kubectl's columns, <none> for an unset zone and a CronJob never scheduled", () => {
    expect(printCronJobsTable([{ cronJob: cronJob(), status: undefined }], T0 + 5 * MIN)).toBe(
      'NAME      SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\n' + 'nightly   0 3 * * *   <none>     False     0        <none>          5m\n',
    );
  });

  it('counts the active Jobs and ages the last schedule; -o wide adds containers, images and the (unset) selector', () => {
    const row = {
      cronJob: cronJob({ timeZone: 'Europe/Berlin', suspend: true }),
      status: { active: [{ namespace: 'default', name: 'nightly-1', uid: 'a' }, { namespace: 'default', name: 'nightly-2', uid: 'b' }], lastScheduleTime: T0 + 2 * MIN },
    };
    const out = printCronJobsTable([row], T0 + 5 * MIN, { wide: true });
    expect(out.split('\n')[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(out.split('\n')[1]).toMatch(/^nightly\s+0 3 \* \* \*\s+Europe\/Berlin\s+True\s+2\s+3m\s+5m\s+backup\s+busybox:1\.36\s+<none>$/);
  });
});

describe('toCronJobObject', () => {
  it("is the CronJob as the API serves it, the template's spec printed as a Job's", () => {
    const o = toCronJobObject(cronJob({ startingDeadlineSeconds: 30 }), { active: [{ namespace: 'default', name: 'nightly-1', uid: 'a' }], lastScheduleTime: T0 });
    expect(o).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-03-01T10:00:00Z', generation: 1 },
      spec: {
        schedule: '0 3 * * *',
        startingDeadlineSeconds: 30,
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { metadata: { creationTimestamp: null }, spec: { parallelism: 1, completions: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never' } } } },
      },
      status: { active: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-1', namespace: 'default', uid: 'a' }], lastScheduleTime: '2026-03-01T10:00:00Z' },
    });
    expect((o.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate.spec.selector).toBeUndefined();
  });
});

describe('describe cronjob', () => {
  it("prints kubectl's fields in its order, then the template and the active Jobs", () => {
    const text = describeCronJob({ cronJob: cronJob(), status: { active: [{ namespace: 'default', name: 'nightly-1', uid: 'a' }], lastScheduleTime: T0 }, events: [] }, T0);
    const labels = text.split('\n').map((l) => l.split(':')[0] ?? '').filter((l) => l !== '' && !l.startsWith(' '));
    expect(labels).toEqual([
      'Name',
      'Namespace',
      'Labels',
      'Annotations',
      'Source',
      'Path',
      'Schedule',
      'Concurrency Policy',
      'Suspend',
      'Successful Job History Limit',
      'Failed Job History Limit',
      'Starting Deadline Seconds',
      'Selector',
      'Parallelism',
      'Completions',
      'Pod Template',
      'Last Schedule Time',
      'Active Jobs',
      'Events',
    ]);
    expect(text).toMatch(/\nLast Schedule Time:\s+Sun, 01 Mar 2026 10:00:00 \+0000\n/);
    expect(text).toMatch(/\nActive Jobs:\s+nightly-1\n/);
    expect(text).toMatch(/\nStarting Deadline Seconds:\s+<unset>\n/);
  });
});
