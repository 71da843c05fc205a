import { afterEach, describe, expect, it } from 'vitest';
import { condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';

// Kubernetes' Job end-to-end scenario on CPU requests (test/e2e/apps/job.go),
// with its title, against the real daemon. There each container requests 20%
// of the node's allocatable CPU, truncated to whole cores (int64 of 0.2 × the
// node's cores): on a two-core machine that is 0 and nothing would be
// scheduled at all, so the node is declared with 10 CPUs: each pod requests 2
// and at most 5 of the 90 run at once. 90 pods of `exit 0` take a few seconds
// here, so the scenario keeps its full size.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const NODE_CPUS = 10;

describe('Job', () => {
  it('should run a job to completion with CPU requests', async () => {
    const cpuRequest = String(Math.trunc(0.2 * NODE_CPUS));
    const parallelism = 90;
    const completions = 90;
    const manifest = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: all-succeed',
      'spec:',
      `  parallelism: ${parallelism}`,
      `  completions: ${completions}`,
      '  backoffLimit: 0',
      '  template:',
      '    metadata:',
      '      labels: {job: all-succeed}',
      '    spec:',
      '      restartPolicy: Never',
      '      containers:',
      '      - name: c',
      '        image: busybox',
      '        command: ["sh", "-c", "exit 0"]',
      `        resources: {requests: {cpu: "${cpuRequest}"}}`,
    ].join('\n') + '\n';
    d = await startDaemon({ backoff: '100ms', extraArgs: ['--node-cpu', String(NODE_CPUS)], files: { 'all-succeed.yaml': manifest } });

    // While the first pods run, the rest wait for CPU instead of all starting at once.
    await waitFor('pods waiting for CPU', () => d!.pods('job=all-succeed').some((p) => p.status.phase === 'Pending' && d!.cli(['describe', 'pod', p.metadata.name]).stdout.includes('Insufficient cpu')));

    const job = await waitFor('all-succeed Complete', () => {
      const j = d!.job('all-succeed');
      if (condition(j, 'Failed')) throw new Error(`job failed: ${JSON.stringify(j!.status)}`);
      return condition(j, 'Complete') ? j : undefined;
    }, 120_000);
    expect(job.status.succeeded).toBe(completions);
    const pods = d.pods('job=all-succeed');
    expect(pods.filter((p) => p.status.phase === 'Succeeded')).toHaveLength(completions);
  });
});
