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
  d = await startApiDaemon({ files: { 'nightly.yaml': CRON, 'weekly.yaml': CRON.replace('name: nightly', 'name: weekly').replace('"0 3 * * *"', '"0 4 * * 0"') } });
  await waitFor('the CronJobs stored', () => d.cli(['get', 'cronjobs', 'nightly']).code === 0 && d.cli(['get', 'cronjobs', 'weekly']).code === 0);
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

const weekly = (name: string, schedule = '0 4 * * 0') => CRON.replace('name: nightly', `name: ${name}`).replace('"0 3 * * *"', `"${schedule}"`);

const cronJob = (name: string) => {
  const r = d.cli(['get', 'cronjob', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { spec: { schedule: string; suspend: boolean }; metadata: { generation: number; annotations?: Record<string, string> } }) : undefined;
};

it('kubectl patch (merge and JSON patch) changes the CronJob as gitjobs patch cronjob does', () => {
  expect(d.kubectl(['patch', 'cronjob', 'weekly', '-p', '{"spec":{"suspend":true}}']).stdout).toBe('cronjob.batch/weekly patched\n');
  const json = d.kubectl(['patch', 'cronjob', 'weekly', '--type=json', '-p', '[{"op":"replace","path":"/spec/schedule","value":"*/5 * * * *"}]']);
  expect(json.stdout).toBe('cronjob.batch/weekly patched\n');
  expect(cronJob('weekly')).toMatchObject({ spec: { schedule: '*/5 * * * *', suspend: true }, metadata: { generation: 3 } });
  expect(d.kubectl(['patch', 'cronjob', 'weekly', '-p', '{"spec":{"suspend":true}}']).stdout).toBe('cronjob.batch/weekly patched (no change)\n');
});

it('a patch gitjobs refuses is Invalid, naming the field', () => {
  const r = d.kubectl(['patch', 'cronjob', 'weekly', '-p', '{"spec":{"schedule":"every day"}}']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^The CronJob "weekly" is invalid: spec\.schedule: /);
  const t = d.kubectl(['patch', 'cronjob', 'weekly', '-p', '{"spec":{"jobTemplate":{"spec":{"backoffLimit":1}}}}']);
  expect(t.stderr).toMatch(/^The CronJob "weekly" is invalid: spec\.jobTemplate: .*change the CronJob's manifest/);
});

it('kubectl apply -f of a CronJob the daemon has patches it; of a new one is refused', () => {
  const r = d.kubectl(['apply', '-f', '-'], { input: weekly('weekly', '0 5 * * *') });
  expect([r.code, r.stdout]).toEqual([0, 'cronjob.batch/weekly configured\n']);
  expect(cronJob('weekly')!.spec.schedule).toBe('0 5 * * *');
  expect(cronJob('weekly')!.metadata.annotations).toHaveProperty(['kubectl.kubernetes.io/last-applied-configuration']);
  const again = d.kubectl(['apply', '-f', '-'], { input: weekly('weekly', '0 5 * * *') });
  expect(again.stdout).toBe('cronjob.batch/weekly unchanged\n');

  // Created only from the source: the API has no create verb for CronJobs.
  const fresh = d.kubectl(['apply', '-f', '-'], { input: weekly('fresh') });
  expect(fresh.code).toBe(1);
  expect(fresh.stderr).toContain('Error from server (MethodNotAllowed): error when creating "STDIN"');
  expect(cronJob('fresh')).toBeUndefined();
});

it('kubectl delete cronjob deletes it as gitjobs delete cronjob does; a missing one is NotFound', async () => {
  expect(d.kubectl(['delete', 'cronjob', 'weekly', '--dry-run=server']).stdout).toBe('cronjob.batch "weekly" deleted (server dry run)\n');
  expect(cronJob('weekly')).toBeDefined();
  expect(d.kubectl(['delete', 'cronjob', 'weekly']).stdout).toBe('cronjob.batch "weekly" deleted\n');
  await waitFor('weekly gone', () => cronJob('weekly') === undefined);
  const missing = d.kubectl(['delete', 'cronjob', 'weekly']);
  expect(missing.stderr).toBe('Error from server (NotFound): cronjobs.batch "weekly" not found\n');
});
