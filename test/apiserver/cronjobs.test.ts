import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../helpers/e2e.js';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// batch/v1 CronJobs through kubectl: one more row of the API's resource table.

const CRON = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
            command: ["true"]
`;

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon({ files: { 'nightly.yaml': CRON } });
  await waitFor('the CronJob stored', () => d.cli(['get', 'cronjobs', 'nightly']).code === 0);
});
afterAll(async () => {
  await d?.cleanup();
});

function ok(args: string[]): string {
  const r = d.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

it('get cronjobs prints what the CLI prints; patch suspends it as gitjobs patch does; create is refused; delete removes it', async () => {
  for (const args of [['get', 'cronjobs'], ['get', 'cronjobs', '-o', 'wide']]) {
    // Read just before and just after: an age may tick between.
    let got = '';
    let before = '';
    let same = false;
    for (let i = 0; i < 5 && !same; i++) {
      before = d.cli(args).stdout;
      got = ok(args);
      same = got === before || got === d.cli(args).stdout;
    }
    if (!same) expect(got).toBe(before);
  }
  expect(JSON.parse(ok(['get', 'cj', 'nightly', '-o', 'json'])).spec.schedule).toBe('0 3 * * *');
  expect(ok(['patch', 'cronjob', 'nightly', '-p', '{"spec":{"suspend":true}}'])).toBe('cronjob.batch/nightly patched\n');
  expect(JSON.parse(d.cli(['get', 'cronjob', 'nightly', '-o', 'json']).stdout).spec.suspend).toBe(true);
  const created = await d.request('POST', '/apis/batch/v1/namespaces/default/cronjobs', { body: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' } } });
  expect(created.status).toBe(405);
  expect(ok(['delete', 'cronjob', 'nightly', '--wait=false'])).toBe('cronjob.batch "nightly" deleted\n');
  await waitFor('nightly gone', () => d.cli(['get', 'cronjobs', 'nightly']).code !== 0);
});
