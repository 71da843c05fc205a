import { afterAll, beforeAll, expect, it } from 'vitest';
import { condition, jobYaml, waitFor } from '../helpers/e2e.js';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// A Table of Jobs is read from the listing index without whole Jobs; a field
// selector still lists whole Jobs. Both must give the same rows for the same
// Jobs, whatever state they are in.

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
// Selects every Job, and so makes the server list whole Jobs as before.
const WHOLE = 'fieldSelector=metadata.name!=no-such-job';

const spec = (command: string, extra = '', containers = '') => `${extra}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(command)}]
${containers}`;

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon({
    files: {
      'done.yaml': jobYaml('done', spec('true'), '  labels:\n    tier: web\n    team: a\n'),
      'failed.yaml': jobYaml('failed', spec('exit 3', '  backoffLimit: 0\n'), '  labels:\n    tier: db\n'),
      'indexed.yaml': jobYaml('indexed', spec('true', '  completions: 2\n  parallelism: 2\n  completionMode: Indexed\n'), '  labels:\n    tier: web\n'),
      'running.yaml': jobYaml('running', spec('sleep 60', '', '      - name: side\n        image: alpine:3\n        command: ["sleep", "60"]\n')),
      'other.yaml': jobYaml('elsewhere', spec('true'), '  namespace: team\n  labels:\n    tier: web\n'),
    },
  });
  await waitFor('the Jobs finished or running', () =>
    condition(d.job('done'), 'Complete')?.status === 'True' &&
    condition(d.job('failed'), 'Failed')?.status === 'True' &&
    condition(d.job('indexed'), 'Complete')?.status === 'True' &&
    d.job('running')?.status.startTime !== undefined, 30_000);
});
afterAll(async () => {
  await d?.cleanup();
});

async function table(path: string): Promise<{ rows: unknown[]; metadata: { continue?: string }; columnDefinitions: unknown[] }> {
  const r = await d.request('GET', path, { headers: { accept: TABLE } });
  expect(r.status).toBe(200);
  return r.body;
}

/** AGE and DURATION move with the clock between two requests: read both until a pair falls within one second. */
async function samePair(light: () => Promise<unknown>, whole: () => Promise<unknown>): Promise<[unknown, unknown]> {
  let pair: [unknown, unknown] = [undefined, undefined];
  for (let i = 0; i < 3; i++) {
    pair = [await light(), await whole()];
    if (JSON.stringify(pair[0]) === JSON.stringify(pair[1])) break;
  }
  return pair;
}

it('gives every Job the same cells and metadata as a Table built from whole Jobs', async () => {
  const [light, whole] = await samePair(() => table('/apis/batch/v1/jobs'), () => table(`/apis/batch/v1/jobs?${WHOLE}`));
  expect(light).toEqual(whole);
  const rows = (light as { rows: { cells: string[]; object: { kind: string; metadata: Record<string, unknown> } }[] }).rows;
  expect(rows.map((r) => r.cells.slice(0, 3))).toEqual([
    ['done', 'Complete', '1/1'],
    ['failed', 'Failed', '0/1'],
    ['indexed', 'Complete', '2/2'],
    ['running', 'Running', '0/1'],
    ['elsewhere', 'Complete', '1/1'],
  ]);
  const running = rows[3]!;
  expect(running.cells.slice(5, 7)).toEqual(['main,side', 'busybox,alpine:3']);
  expect(running.cells[7]).toMatch(/^batch\.kubernetes\.io\/controller-uid=/);
  expect(rows[0]!.object.kind).toBe('PartialObjectMetadata');
  expect(rows[0]!.object.metadata).toMatchObject({ name: 'done', namespace: 'default', labels: { tier: 'web', team: 'a' } });
  expect(Object.keys(rows[0]!.object.metadata)).toContain('resourceVersion');
  expect(rows[0]!.object).not.toHaveProperty('spec');
});

it('pages and selects by label as the whole-Job Table does', async () => {
  const paged = async () => {
    const first = await table('/apis/batch/v1/namespaces/default/jobs?limit=3');
    expect(first.metadata.continue).toBeTruthy();
    const rest = await table(`/apis/batch/v1/namespaces/default/jobs?limit=3&continue=${first.metadata.continue}`);
    expect(rest.metadata.continue).toBeUndefined();
    return [...first.rows, ...rest.rows];
  };
  const [pages, whole] = await samePair(paged, async () => (await table(`/apis/batch/v1/namespaces/default/jobs?${WHOLE}`)).rows);
  expect(pages).toEqual(whole);
  expect((pages as unknown[]).length).toBe(4);

  const [web, webWhole] = await samePair(
    () => table('/apis/batch/v1/jobs?labelSelector=tier%3Dweb&limit=2'),
    () => table(`/apis/batch/v1/jobs?labelSelector=tier%3Dweb&limit=2&${WHOLE}`),
  );
  expect(web).toEqual(webWhole);
  expect((web as { rows: { cells: string[] }[] }).rows.map((r) => r.cells[0])).toEqual(['done', 'indexed']);
});

it('carries no object with includeObject=None and the whole Job with includeObject=Object', async () => {
  const none = await table('/apis/batch/v1/namespaces/default/jobs?includeObject=None');
  expect(none.rows.every((r) => !Object.hasOwn(r as object, 'object'))).toBe(true);
  const whole = await table('/apis/batch/v1/namespaces/default/jobs?includeObject=Object');
  const done = (whole.rows as { object: { kind: string; spec: { template: unknown }; status: { succeeded: number } } }[])[0]!;
  expect([done.object.kind, done.object.status.succeeded]).toEqual(['Job', 1]);
  expect(done.object.spec.template).toBeDefined();
});
