import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobYaml, waitFor } from '../helpers/e2e.js';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// What clients read besides lists of Jobs: discovery, events with their field
// selectors, namespaces, the status subresource, Tables and pods/log parameters.

let d: ApiDaemon;
const twoContainers = `  template:
    spec:
      restartPolicy: Never
      containers:
      - name: first
        image: busybox
        command: ["sh", "-c", "echo one; echo two; echo three"]
      - name: second
        image: busybox
        command: ["true"]
`;
beforeAll(async () => {
  d = await startApiDaemon({ files: { 'logs.yaml': jobYaml('logs', twoContainers), 'other.yaml': jobYaml('other', twoContainers, '  namespace: team\n') } });
  await waitFor('both Jobs complete', () => d.job('logs')?.status.succeeded === 1 && JSON.parse(d.cli(['get', 'job', 'other', '-n', 'team', '-o', 'json']).stdout || '{}').status?.succeeded === 1);
});
afterAll(async () => {
  await d?.cleanup();
});

it('serves the aggregated discovery kubectl asks for first, and the legacy documents', async () => {
  const agg = await d.request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
  expect(agg.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const batch = agg.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'batch');
  expect(batch.versions[0].resources.map((r: { resource: string }) => r.resource)).toContain('jobs');
  const core = await d.request('GET', '/api', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  const pods = core.body.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods');
  expect(pods).toMatchObject({ scope: 'Namespaced', shortNames: ['po'], subresources: [{ subresource: 'log' }] });
  expect((await d.request('GET', '/api')).body.versions).toEqual(['v1']);
  expect((await d.request('GET', '/apis')).body.groups.map((g: { name: string }) => g.name)).toEqual(['batch', 'events.k8s.io']);
  const v1 = (await d.request('GET', '/api/v1')).body.resources.map((r: { name: string }) => r.name);
  expect(v1).toEqual(['pods', 'pods/log', 'events', 'namespaces']);
  expect((await d.request('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
  const v3 = (await d.request('GET', '/openapi/v3')).body.paths['apis/batch/v1'].serverRelativeURL as string;
  const doc = (await d.request('GET', v3)).body;
  expect(doc.components.schemas['io.k8s.api.batch.v1.Job']['x-kubernetes-group-version-kind']).toEqual([{ group: 'batch', version: 'v1', kind: 'Job' }]);
  expect((await d.request('GET', '/openapi/v2')).body.swagger).toBe('2.0');
});

it('lists events by involvedObject fields, in core/v1 and events.k8s.io/v1', async () => {
  const core = await d.request('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind=Job,involvedObject.name=logs');
  const reasons = core.body.items.map((e: { reason: string }) => e.reason);
  expect(reasons).toContain('SuccessfulCreate');
  expect(core.body.items.every((e: { involvedObject: { name: string } }) => e.involvedObject.name === 'logs')).toBe(true);
  const v1 = await d.request('GET', '/apis/events.k8s.io/v1/events?fieldSelector=regarding.name=other');
  expect(v1.body.items.length).toBeGreaterThan(0);
  expect(v1.body.items.every((e: { regarding: { namespace: string }; note: string }) => e.regarding.namespace === 'team' && typeof e.note === 'string')).toBe(true);
  const bad = await d.request('GET', '/api/v1/events?fieldSelector=spec.nothing=x');
  expect([bad.status, bad.body.message]).toEqual([400, 'field label not supported: spec.nothing']);
});

it('lists the namespaces that hold objects, and gets one', async () => {
  const list = await d.request('GET', '/api/v1/namespaces');
  expect(list.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['default', 'team']);
  expect((await d.request('GET', '/api/v1/namespaces/team')).body.status.phase).toBe('Active');
  expect((await d.request('GET', '/api/v1/namespaces/nowhere')).status).toBe(404);
});

it('a whole list shows each change to a Job, though unchanged Jobs are served from kept texts', async () => {
  const names = (body: { items: { metadata: { name: string } }[] }): string[] => body.items.map((j) => j.metadata.name);
  const first = (await d.request('GET', '/apis/batch/v1/jobs')).body;
  expect(names(first)).toEqual(['logs', 'other']);
  const patched = await d.request('PATCH', '/apis/batch/v1/namespaces/default/jobs/logs', { body: { metadata: { labels: { seen: 'twice' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  expect(patched.status).toBe(200);
  const second = (await d.request('GET', '/apis/batch/v1/jobs')).body;
  const logs = second.items.find((j: { metadata: { name: string } }) => j.metadata.name === 'logs');
  expect(logs.metadata.labels.seen).toBe('twice');
  expect(logs.metadata.resourceVersion).toBe(patched.body.metadata.resourceVersion);
  expect(Number(second.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(logs.metadata.resourceVersion));
  const other = second.items.find((j: { metadata: { name: string } }) => j.metadata.name === 'other');
  expect(other).toEqual(first.items.find((j: { metadata: { name: string } }) => j.metadata.name === 'other'));
  // The same list through the paths that read every Job agrees.
  const selected = (await d.request('GET', '/apis/batch/v1/jobs?labelSelector=job-name')).body;
  expect(selected.items).toEqual(second.items);
});

it('pages across namespaces in (namespace, name) order, with or without a selector', async () => {
  for (const selector of ['', '&labelSelector=job-name']) {
    const names: string[] = [];
    let token = '';
    for (let i = 0; i < 5; i++) {
      const r = await d.request('GET', `/apis/batch/v1/jobs?limit=1${selector}${token === '' ? '' : `&continue=${token}`}`);
      names.push(...r.body.items.map((j: { metadata: { namespace: string; name: string } }) => `${j.metadata.namespace}/${j.metadata.name}`));
      token = r.body.metadata.continue ?? '';
      if (token === '') break;
    }
    expect(names).toEqual(['default/logs', 'team/other']);
  }
});

it('reads /status and Tables with or without the objects', async () => {
  const status = await d.request('GET', '/apis/batch/v1/namespaces/default/jobs/logs/status');
  expect(status.body.status.succeeded).toBe(1);
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io';
  const table = await d.request('GET', '/apis/batch/v1/jobs?includeObject=Object', { headers: { accept } });
  expect(table.body.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual([
    'Name:0', 'Status:0', 'Completions:0', 'Duration:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1',
  ]);
  expect(table.body.rows.map((r: { cells: string[] }) => r.cells.slice(0, 3))).toEqual([['logs', 'Complete', '1/1'], ['other', 'Complete', '1/1']]);
  expect(table.body.rows[0].object.kind).toBe('Job');
  const meta = await d.request('GET', '/apis/batch/v1/namespaces/team/jobs', { headers: { accept } });
  expect(meta.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'other', namespace: 'team' } });
});

it('pods/log takes container, tailLines, limitBytes, timestamps; refuses what a cluster refuses', async () => {
  const pod = d.pods('job-name=logs')[0]!.metadata.name;
  const log = (q: string) => d.request('GET', `/api/v1/namespaces/default/pods/${pod}/log${q}`);
  const none = await log('');
  expect([none.status, none.body.message]).toEqual([400, `a container name must be specified for pod ${pod}, choose one of: [first second]`]);
  expect((await log('?container=first')).text).toBe('one\ntwo\nthree\n');
  expect((await log('?container=first&tailLines=2')).text).toBe('two\nthree\n');
  expect((await log('?container=first&limitBytes=5')).text).toBe('one\nt');
  expect((await log('?container=first&tailLines=1&timestamps=true')).text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
  const previous = await log('?container=first&previous=true');
  expect([previous.status, previous.body.message]).toEqual([400, `previous terminated container "first" in pod "${pod}" not found`]);
  expect((await log('?container=third')).status).toBe(400);
});
