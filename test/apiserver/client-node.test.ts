import { BatchV1Api, KubeConfig, makeInformer, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobYaml, waitFor } from '../helpers/e2e.js';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// @kubernetes/client-node 1.4 with the kubeconfig `gitjobs kubeconfig` prints.

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon({ files: { 'one.yaml': jobYaml('one', '  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n        command: ["true"]\n') } });
});
afterAll(async () => {
  await d?.cleanup();
});

it('lists Jobs and keeps an Informer current: an added Job, its completion and its deletion reach the handlers', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(d.kubeconfig);
  const batch = kc.makeApiClient(BatchV1Api);
  const list = await batch.listNamespacedJob({ namespace: 'default' });
  expect(list.items.map((j) => j.metadata?.name)).toEqual(['one']);
  expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);

  const informer = makeInformer(kc, '/apis/batch/v1/namespaces/default/jobs', () => batch.listNamespacedJob({ namespace: 'default' }));
  const added: string[] = [];
  const completed = new Set<string>();
  const deleted: string[] = [];
  informer.on('add', (j: V1Job) => added.push(j.metadata!.name!));
  informer.on('update', (j: V1Job) => {
    if (j.status?.succeeded === 1) completed.add(j.metadata!.name!);
  });
  informer.on('delete', (j: V1Job) => deleted.push(j.metadata!.name!));
  await informer.start();
  try {
    await waitFor('the informer listed one', () => added.includes('one'));
    d.writeJob('two.yaml', jobYaml('two', '  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n        command: ["true"]\n'));
    await waitFor('two added and completed', () => added.includes('two') && completed.has('two'));
    expect(informer.get('two', 'default')?.status?.succeeded).toBe(1);
    await batch.deleteNamespacedJob({ name: 'two', namespace: 'default', propagationPolicy: 'Background' });
    await waitFor('two deleted', () => deleted.includes('two'));
  } finally {
    await informer.stop();
  }
});
