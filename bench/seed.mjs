// Fills a state folder with many finished Jobs and pods through the store
// module itself, for benchmarks of what reads the store.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export /** Fills a state folder with `jobs` finished Jobs and `pods` pods through the store module itself. */
async function seedStore(stateDir, jobs, podsPerJob) {
  const { openDb } = await import('../dist/store/db.js');
  const { insertJob } = await import('../dist/store/jobs.js');
  const { insertPod } = await import('../dist/store/pods.js');
  const { putJobStatus } = await import('../dist/store/status.js');
  const { insertRun } = await import('../dist/store/runs.js');
  mkdirSync(stateDir, { recursive: true });
  const db = openDb(join(stateDir, 'gitjobs.db'));
  const t0 = Date.now() - 3600_000;
  const template = { metadata: { labels: {}, annotations: {} }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'], args: [], env: [] }], initContainers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 30 } };
  db.transaction(() => {
    for (let i = 0; i < jobs; i++) {
      const name = `job-${String(i).padStart(5, '0')}`;
      const uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      const labels = { 'job-name': name, 'controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'batch.kubernetes.io/controller-uid': uid };
      const spec = { parallelism: 1, completions: podsPerJob, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed', selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } }, template: { ...template, metadata: { labels, annotations: {} } } };
      const job = { uid, namespace: 'default', name, labels, annotations: {}, creationTimestamp: t0 + i, generation: 1, spec, specHash: 'h' + i, origin: { kind: 'dir', source: '/bench', path: `${name}.yaml`, line: 1 } };
      insertJob(db, job);
      insertRun(db, job, 'new');
      putJobStatus(db, uid, { conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: t0 + i + 5000, lastTransitionTime: t0 + i + 5000 }], startTime: t0 + i, completionTime: t0 + i + 5000, active: 0, ready: 0, terminating: 0, succeeded: podsPerJob, failed: 0, completedIndexes: '' });
      for (let p = 0; p < podsPerJob; p++) {
        const podName = `${name}-p${p}`;
        insertPod(db, { uid: `${uid}-${p}`, namespace: 'default', name: podName, labels, annotations: {}, owner: { uid, name }, creationTimestamp: t0 + i, trackingFinalizer: false, spec: template.spec, status: { phase: 'Succeeded', startTime: t0 + i, conditions: [], initContainerStatuses: [], containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: t0 + i + 1000 } }, ready: false, restartCount: 0 }] } }, undefined, t0 + i);
      }
    }
  })();
  db.close();
}
