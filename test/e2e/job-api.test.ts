import { afterEach, describe, expect, it } from 'vitest';
import { condition, startDaemon, waitFor, type DaemonHandle, type JobJson, type PodJson } from '../helpers/e2e.js';

// Kubernetes' own end-to-end scenarios for Jobs (test/e2e/apps/job.go), with
// their titles, run against the real daemon with local commands in place of
// the test images. "failOnce" keeps its marker in a folder shared by the
// Job's pods (or in the pod's emptyDir where Kubernetes relies on one).

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

interface Status extends NonNullable<JobJson['status']> {
  failedIndexes?: string;
}
type Pod = PodJson & {
  metadata: PodJson['metadata'] & { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
  spec: { hostname?: string };
  status: PodJson['status'] & { conditions?: { type: string; status: string; reason?: string }[] };
};

interface JobOptions {
  parallelism?: number;
  completions?: number;
  /** null: not written (Kubernetes' default applies). */
  backoffLimit?: number | null;
  activeDeadlineSeconds?: number;
  indexed?: boolean;
  suspend?: boolean;
  restartPolicy?: 'Never' | 'OnFailure';
  grace?: number;
  /** Extra lines at spec level, indented by two spaces. */
  spec?: string;
  /** Extra lines of the pod spec, indented by six spaces. */
  pod?: string;
}

/** NewTestJob: the fixture every scenario builds on, with a local command. */
function testJob(name: string, script: string, o: JobOptions = {}): string {
  const lines = [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  parallelism: ${o.parallelism ?? 1}`,
    ...(o.completions === undefined ? [] : [`  completions: ${o.completions}`]),
    ...(o.backoffLimit === null ? [] : [`  backoffLimit: ${o.backoffLimit ?? 6}`]),
    ...(o.activeDeadlineSeconds === undefined ? [] : [`  activeDeadlineSeconds: ${o.activeDeadlineSeconds}`]),
    ...(o.indexed ? ['  completionMode: Indexed'] : []),
    ...(o.suspend === undefined ? [] : [`  suspend: ${o.suspend}`]),
    ...(o.spec === undefined ? [] : [o.spec.trimEnd()]),
    '  template:',
    '    metadata:',
    `      labels: {job: ${name}}`,
    '    spec:',
    `      restartPolicy: ${o.restartPolicy ?? 'Never'}`,
    ...(o.grace === undefined ? [] : [`      terminationGracePeriodSeconds: ${o.grace}`]),
    '      volumes: [{name: data, emptyDir: {}}]',
    ...(o.pod === undefined ? [] : [o.pod.trimEnd()]),
    '      containers:',
    '      - name: c',
    '        image: busybox',
    `        command: ["sh", "-c", ${JSON.stringify(script)}]`,
    '        volumeMounts: [{name: data, mountPath: /data}]',
  ];
  return lines.join('\n') + '\n';
}

const SUCCEED = 'exit 0';
const FAIL = 'exit 1';
const NOT_TERMINATE = 'exec sleep 1000000';
const FAIL_ODD_SUCCEED_EVEN = 'if [ $(expr ${JOB_COMPLETION_INDEX} % 2) -ne 0 ]; then exit 1; else exit 0; fi';
/** Fails the first run that sees the shared folder, then succeeds. */
const failOnce = (dir: string): string => `if [ -r ${dir}/foo ]; then exit 0; else touch ${dir}/foo; exit 1; fi`;
const failOncePerIndex = (dir: string): string =>
  `if [ -r ${dir}/foo-$JOB_COMPLETION_INDEX ]; then exit 0; else touch ${dir}/foo-$JOB_COMPLETION_INDEX; exit 42; fi`;
const notTerminateOncePerIndex = (dir: string): string =>
  `if [ -r ${dir}/foo-$JOB_COMPLETION_INDEX ]; then exit 0; else touch ${dir}/foo-$JOB_COMPLETION_INDEX; exec sleep 1000000; fi`;

async function start(name: string, manifest: string): Promise<DaemonHandle> {
  d = await startDaemon({ backoff: '100ms', files: { [`${name}.yaml`]: manifest } });
  return d;
}

const status = (name: string): Status | undefined => d!.job(name)?.status as Status | undefined;
const jobPods = (name: string): Pod[] => d!.pods(`job=${name}`) as Pod[];

/** WaitForJobComplete: succeeded reaches completions, then Complete=True with the reason. */
async function waitForJobComplete(name: string, reason: string, completions: number): Promise<JobJson> {
  await waitFor(`${name} succeeded ${completions}`, () => {
    const job = d!.job(name);
    if (condition(job, 'Failed')) throw new Error(`job failed: ${JSON.stringify(job!.status)}`);
    return job?.status.succeeded === completions;
  }, 60_000);
  return waitFor(`${name} Complete with ${reason}`, () => {
    const job = d!.job(name);
    return condition(job, 'Complete')?.reason === reason ? job : undefined;
  }, 30_000);
}

async function waitForJobFailed(name: string): Promise<JobJson> {
  return waitFor(`${name} failed`, () => {
    const job = d!.job(name);
    if (condition(job, 'Complete')) throw new Error(`job completed: ${JSON.stringify(job!.status)}`);
    return condition(job, 'Failed') ? job : undefined;
  }, 60_000);
}

const waitForJobPodsRunning = (name: string, n: number): Promise<Pod[]> =>
  waitFor(`${n} pods of ${name} running`, () => {
    const running = jobPods(name).filter((p) => p.status.phase === 'Running');
    return running.length === n ? running : undefined;
  });

const waitForAllJobPodsGone = (name: string): Promise<boolean> => waitFor(`pods of ${name} gone`, () => jobPods(name).length === 0);

function expectSettled(job: JobJson): void {
  expect(job.status.active ?? 0).toBe(0);
  expect(job.status.ready).toBe(0);
  expect(job.status.terminating).toBe(0);
}

describe('Job', () => {
  it('should run a job to completion when tasks succeed', async () => {
    await start('all-succeed', testJob('all-succeed', SUCCEED, { parallelism: 2, completions: 4 }));
    await waitForJobComplete('all-succeed', 'CompletionsReached', 4);
    const pods = jobPods('all-succeed');
    expect(pods.filter((p) => p.status.phase === 'Succeeded')).toHaveLength(4);
  });

  it('should allow to use the pod failure policy on exit code to fail the job early', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    d!.writeJob(
      'pod-failure-failjob.yaml',
      testJob('pod-failure-failjob', failOnce(dir), {
        parallelism: 2,
        completions: 4,
        spec: '  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: In, values: [1]}',
      }),
    );
    const job = await waitForJobFailed('pod-failure-failjob');
    expect(condition(job, 'FailureTarget')?.reason).toBe('PodFailurePolicy');
    expect(condition(job, 'Failed')?.reason).toBe('PodFailurePolicy');
    expect(condition(job, 'Failed')?.message).toMatch(
      /^Container c for pod default\/pod-failure-failjob-\w{5} failed with exit code 1 matching FailJob rule at index 0$/,
    );
    expect(job.status.succeeded ?? 0).toBeLessThan(4);
  });

  it('should allow to use a pod failure policy to ignore failure matching on exit code', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    d!.writeJob(
      'ignore.yaml',
      testJob('fail-pod-ignore-on-exit-code', failOncePerIndex(dir), {
        parallelism: 3,
        completions: 3,
        backoffLimit: 2,
        indexed: true,
        spec: '  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onExitCodes: {operator: In, values: [42]}',
      }),
    );
    const job = await waitForJobComplete('fail-pod-ignore-on-exit-code', 'CompletionsReached', 3);
    expect(job.status.failed ?? 0).toBe(0);
    // Every index failed once with 42: three ignored failures, more than backoffLimit allows.
    expect(jobPods('fail-pod-ignore-on-exit-code').filter((p) => p.status.phase === 'Failed')).toHaveLength(3);
  });

  it('should allow to use a pod failure policy to ignore failure matching on DisruptionTarget condition', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    const name = 'evicted-pod-ignore-on-disruption-condition';
    d!.writeJob(
      'evicted.yaml',
      testJob(name, notTerminateOncePerIndex(dir), {
        parallelism: 3,
        completions: 3,
        backoffLimit: 2,
        indexed: true,
        grace: 1,
        spec: '  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onPodConditions: [{type: DisruptionTarget, status: "True"}]',
      }),
    );
    await waitFor('ready 3', () => status(name)?.ready === 3);
    const pods = jobPods(name).filter((p) => p.status.phase === 'Running');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      const r = d!.cli(['delete', 'pod', pod.metadata.name]);
      expect(r.stdout).toBe(`pod "${pod.metadata.name}" deleted\n`);
    }
    const job = await waitForJobComplete(name, 'CompletionsReached', 3);
    expect(job.status.failed ?? 0).toBe(0);
  });

  it('should not create pods when created in suspend state', async () => {
    await start('suspend-true-to-false', testJob('suspend-true-to-false', SUCCEED, { parallelism: 2, completions: 4, suspend: true }));
    await waitFor('suspended', () => condition(d!.job('suspend-true-to-false'), 'Suspended'));
    expect(jobPods('suspend-true-to-false')).toHaveLength(0);
    expect(d!.cli(['resume', 'job', 'suspend-true-to-false']).code).toBe(0);
    await waitForJobComplete('suspend-true-to-false', 'CompletionsReached', 4);
  });

  it('should delete pods when suspended', async () => {
    await start('suspend-false-to-true', testJob('suspend-false-to-true', NOT_TERMINATE, { parallelism: 2, completions: 4, suspend: false }));
    await waitForJobPodsRunning('suspend-false-to-true', 2);
    expect(d!.cli(['suspend', 'job', 'suspend-false-to-true']).code).toBe(0);
    await waitForAllJobPodsGone('suspend-false-to-true');
    const job = d!.job('suspend-false-to-true');
    expect(job?.status.conditions?.some((c) => c.type === 'Suspended')).toBe(true);
  });

  it('should recreate pods only after they have failed if pod replacement policy is set to Failed', async () => {
    const script = '_term(){ sleep 2; exit 143; }; trap _term TERM; while true; do sleep 1; done';
    await start('pod-recreate-failed', testJob('pod-recreate-failed', script, { completions: 1, backoffLimit: 1, spec: '  podReplacementPolicy: Failed' }));
    const [pod] = await waitForJobPodsRunning('pod-recreate-failed', 1);
    expect(d!.cli(['delete', 'pod', pod!.metadata.name, '--grace-period=30', '--wait=false']).code).toBe(0);
    await waitFor('terminating, not yet replaced', () => {
      const s = status('pod-recreate-failed');
      return (s?.active ?? 0) === 0 && (s?.failed ?? 0) === 0 && s?.terminating === 1;
    });
    await waitFor('replaced after it failed', () => {
      const s = status('pod-recreate-failed');
      return s?.active === 1 && s.failed === 1 && s.terminating === 0;
    });
    const now = jobPods('pod-recreate-failed');
    expect(now).toHaveLength(1);
    expect(now[0]!.metadata.name).not.toBe(pod!.metadata.name);
    expect(d!.cli(['history', 'job', 'pod-recreate-failed']).stdout).toMatch(/\b143\b/);
  });

  it('with podReplacementPolicy TerminatingOrFailed a deleted pod is counted failed and replaced while it still terminates', async () => {
    const script = '_term(){ sleep 2; exit 143; }; trap _term TERM; while true; do sleep 1; done';
    await start('pod-recreate-terminating', testJob('pod-recreate-terminating', script, { completions: 1, backoffLimit: 1 }));
    const [pod] = await waitForJobPodsRunning('pod-recreate-terminating', 1);
    expect(d!.cli(['delete', 'pod', pod!.metadata.name, '--grace-period=30', '--wait=false']).code).toBe(0);
    await waitFor('replaced at once', () => {
      const s = status('pod-recreate-terminating');
      return s?.active === 1 && s.failed === 1 && s.terminating === 1;
    });
  });

  it('should create pods for an Indexed job with completion indexes and specified hostname', async () => {
    await start('indexed-job', testJob('indexed-job', 'echo $HOSTNAME', { parallelism: 2, completions: 4, indexed: true }));
    await waitForJobComplete('indexed-job', 'CompletionsReached', 4);
    const succeeded = jobPods('indexed-job').filter((p) => p.status.phase === 'Succeeded');
    const indexes = new Set<number>();
    for (const pod of succeeded) {
      const ix = Number.parseInt(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '', 10);
      expect(Number.isInteger(ix)).toBe(true);
      indexes.add(ix);
      expect(pod.spec.hostname).toBe(`indexed-job-${ix}`);
      expect(d!.cli(['logs', pod.metadata.name]).stdout).toBe(`indexed-job-${ix}\n`);
    }
    expect([...indexes].sort()).toEqual([0, 1, 2, 3]);
  });

  it('should create pods with completion indexes for an Indexed Job', async () => {
    await start('indexed-job', testJob('indexed-job', SUCCEED, { parallelism: 2, completions: 4, indexed: true }));
    await waitForJobComplete('indexed-job', 'CompletionsReached', 4);
    const labels = jobPods('indexed-job').map((p) => p.metadata.labels['batch.kubernetes.io/job-completion-index']);
    expect(labels.every((l) => l !== undefined && Number.isInteger(Number.parseInt(l, 10)))).toBe(true);
    expect([...new Set(labels)].sort()).toEqual(['0', '1', '2', '3']);
  });

  it('with successPolicy should succeeded when all indexes succeeded', async () => {
    const name = 'with-success-policy-all-index-succeeded';
    await start(name, testJob(name, SUCCEED, { parallelism: 2, completions: 2, indexed: true, spec: '  successPolicy:\n    rules: [{succeededCount: 2}]' }));
    await waitFor('SuccessCriteriaMet', () => condition(d!.job(name), 'SuccessCriteriaMet')?.reason === 'SuccessPolicy');
    const job = await waitForJobComplete(name, 'SuccessPolicy', 2);
    expectSettled(job);
    expect(job.status.failed ?? 0).toBe(0);
  });

  it('with successPolicy succeededIndexes rule should succeeded even when some indexes remain pending', async () => {
    const name = 'with-success-policy-succeeded-indexed';
    await start(name, testJob(name, FAIL_ODD_SUCCEED_EVEN, { parallelism: 2, completions: 5, indexed: true, spec: '  successPolicy:\n    rules: [{succeededIndexes: "0"}]' }));
    await waitFor('SuccessCriteriaMet', () => condition(d!.job(name), 'SuccessCriteriaMet')?.reason === 'SuccessPolicy');
    const job = await waitForJobComplete(name, 'SuccessPolicy', 1);
    expect(job.status.completedIndexes).toBe('0');
    expectSettled(job);
  });

  it('with successPolicy succeededCount rule should succeeded even when some indexes remain pending', async () => {
    const name = 'with-success-policy-succeeded-count';
    await start(
      name,
      testJob(name, FAIL_ODD_SUCCEED_EVEN, { parallelism: 2, completions: 5, backoffLimit: 2147483647, indexed: true, spec: '  successPolicy:\n    rules: [{succeededCount: 1}]' }),
    );
    await waitFor('SuccessCriteriaMet', () => condition(d!.job(name), 'SuccessCriteriaMet')?.reason === 'SuccessPolicy');
    const job = await waitForJobComplete(name, 'SuccessPolicy', 1);
    expect(job.status.completedIndexes).toBe('0');
    expectSettled(job);
  });

  it('should execute all indexes despite some failing when using backoffLimitPerIndex', async () => {
    const name = 'with-backoff-limit-per-index';
    await start(name, testJob(name, FAIL_ODD_SUCCEED_EVEN, { parallelism: 2, completions: 4, backoffLimit: null, indexed: true, spec: '  backoffLimitPerIndex: 1' }));
    const job = await waitForJobFailed(name);
    const s = job.status as Status;
    expect(condition(job, 'Failed')?.reason).toBe('FailedIndexes');
    expect(s.failedIndexes).toBe('1,3');
    expect(s.completedIndexes).toBe('0,2');
    expect(s.failed).toBe(4);
    expect(s.succeeded).toBe(2);
  });

  it('should terminate job execution when the number of failed indexes exceeds maxFailedIndexes', async () => {
    const name = 'with-max-failed-indexes';
    await start(name, testJob(name, FAIL, { parallelism: 1, completions: 4, backoffLimit: null, indexed: true, spec: '  backoffLimitPerIndex: 0\n  maxFailedIndexes: 0' }));
    const job = await waitForJobFailed(name);
    const s = job.status as Status;
    expect(condition(job, 'Failed')?.reason).toBe('MaxFailedIndexesExceeded');
    expect(s.failedIndexes).toBe('0');
    expect(s.failed).toBe(1);
    expect(jobPods(name)).toHaveLength(1);
  });

  it('should record the failure-count in the Pod annotation when using backoffLimitPerIndex', async () => {
    const name = 'e2e-backofflimitperindex-x7k2p';
    await start(name, testJob(name, FAIL, { parallelism: 2, completions: 2, backoffLimit: null, indexed: true, spec: '  backoffLimitPerIndex: 1' }));
    const job = await waitForJobFailed(name);
    const byIndex = new Map<string, { count: string; created: number }[]>();
    for (const pod of d!.pods(`batch.kubernetes.io/job-name=${name}`)) {
      const ix = pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?';
      const count = pod.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'] ?? '';
      byIndex.set(ix, [...(byIndex.get(ix) ?? []), { count, created: Date.parse(pod.metadata.creationTimestamp) }]);
    }
    // Creation times have second precision: order by the count, then check no pod predates the one it replaced.
    const sequences = Object.fromEntries([...byIndex].map(([ix, seen]) => [ix, seen.sort((a, b) => a.count.localeCompare(b.count))]));
    expect(Object.fromEntries(Object.entries(sequences).map(([ix, seen]) => [ix, seen.map((x) => x.count)]))).toEqual({ '0': ['0', '1'], '1': ['0', '1'] });
    for (const seen of Object.values(sequences)) expect(seen[0]!.created).toBeLessThanOrEqual(seen[1]!.created);
    const s = job.status as Status;
    expect(s.failedIndexes).toBe('0,1');
    expect(s.completedIndexes ?? '').toBe('');
    expect(s.failed).toBe(4);
    expect(s.succeeded ?? 0).toBe(0);
  });

  it('should mark indexes as failed when the FailIndex action is matched in podFailurePolicy', async () => {
    const name = 'matching-fail-index-action';
    await start(
      name,
      testJob(name, FAIL_ODD_SUCCEED_EVEN, {
        parallelism: 2,
        completions: 2,
        backoffLimit: null,
        indexed: true,
        spec: '  backoffLimitPerIndex: 1\n  podFailurePolicy:\n    rules:\n    - action: FailIndex\n      onExitCodes: {operator: In, values: [1]}',
      }),
    );
    const job = await waitForJobFailed(name);
    const s = job.status as Status;
    expect(condition(job, 'Failed')?.reason).toBe('FailedIndexes');
    expect(s.failedIndexes).toBe('1');
    expect(s.completedIndexes).toBe('0');
    expect(s.failed).toBe(1);
    expect(s.succeeded).toBe(1);
  });

  it('should remove pods when job is deleted', async () => {
    await start('all-pods-removed', testJob('all-pods-removed', NOT_TERMINATE, { parallelism: 2, completions: 4 }));
    await waitForJobPodsRunning('all-pods-removed', 2);
    expect(d!.cli(['delete', 'job', 'all-pods-removed']).code).toBe(0);
    await waitForAllJobPodsGone('all-pods-removed');
  });

  it('should run a job to completion when tasks sometimes fail and are locally restarted', async () => {
    // The pod's emptyDir survives the restart of its container, so each pod fails once.
    const script = 'if [ -r $GITJOBS_VOLUME_DATA/foo ]; then exit 0; else touch $GITJOBS_VOLUME_DATA/foo; exit 1; fi';
    await start('fail-once-local', testJob('fail-once-local', script, { parallelism: 2, completions: 4, restartPolicy: 'OnFailure' }));
    await waitForJobComplete('fail-once-local', 'CompletionsReached', 4);
    const pods = jobPods('fail-once-local');
    expect(pods).toHaveLength(4);
    expect(pods.map((p) => p.status.containerStatuses?.[0]?.restartCount)).toEqual([1, 1, 1, 1]);
  });

  it('should run a job to completion when tasks sometimes fail and are not locally restarted', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    d!.writeJob('fail-once-non-local.yaml', testJob('fail-once-non-local', failOnce(dir), { parallelism: 2, completions: 4 }));
    await waitFor('SuccessCriteriaMet', () => condition(d!.job('fail-once-non-local'), 'SuccessCriteriaMet')?.reason === 'CompletionsReached');
    const job = await waitForJobComplete('fail-once-non-local', 'CompletionsReached', 4);
    expectSettled(job);
    expect(job.status.failed).toBeGreaterThanOrEqual(1);
    expect(job.status.failed).toBeLessThanOrEqual(2);
  });

  it('should fail when exceeds active deadline', async () => {
    await start('exceed-active-deadline', testJob('exceed-active-deadline', NOT_TERMINATE, { parallelism: 2, completions: 4, activeDeadlineSeconds: 1, grace: 1 }));
    const job = await waitForJobFailed('exceed-active-deadline');
    expect(condition(job, 'FailureTarget')?.reason).toBe('DeadlineExceeded');
    expect(condition(job, 'Failed')?.reason).toBe('DeadlineExceeded');
    expectSettled(job);
  });

  it('should delete a job', async () => {
    await start('foo', testJob('foo', NOT_TERMINATE, { parallelism: 2, completions: 4 }));
    await waitForJobPodsRunning('foo', 2);
    expect(d!.cli(['delete', 'job', 'foo']).code).toBe(0);
    const r = d!.cli(['get', 'job', 'foo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): jobs.batch "foo" not found\n');
  });

  it('should fail to exceed backoffLimit', async () => {
    await start('backofflimit', testJob('backofflimit', FAIL, { completions: 1, backoffLimit: 1 }));
    const job = await waitForJobFailed('backofflimit');
    expect(condition(job, 'FailureTarget')?.reason).toBe('BackoffLimitExceeded');
    expect(condition(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const pods = jobPods('backofflimit');
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => p.status.phase === 'Failed')).toBe(true);
    expectSettled(job);
  });

  it('should update the status ready field', async () => {
    await start('all-ready', testJob('all-ready', NOT_TERMINATE, { parallelism: 2, completions: 4, suspend: true }));
    await waitFor('suspended with ready 0', () => condition(d!.job('all-ready'), 'Suspended') && status('all-ready')?.ready === 0);
    expect(d!.cli(['resume', 'job', 'all-ready']).code).toBe(0);
    await waitFor('ready 2', () => status('all-ready')?.ready === 2);
    expect(d!.cli(['suspend', 'job', 'all-ready']).code).toBe(0);
    await waitFor('ready 0 again', () => status('all-ready')?.ready === 0);
  });

  it('should allow to delegate reconciliation to external controller', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    expect(dir).not.toBe('');
    d!.writeJob('managed-by.yaml', testJob('managed-by', SUCCEED, { parallelism: 2, completions: 4, spec: '  managedBy: example.com/custom-job-controller' }));
    // A Job of ours in the same scan: once it has completed, the other one has long been seen.
    d!.writeJob('witness.yaml', testJob('witness', SUCCEED, { completions: 1 }));
    await waitForJobComplete('witness', 'CompletionsReached', 1);
    const job = d!.job('managed-by');
    expect(job?.status).toEqual({});
    expect(jobPods('managed-by')).toHaveLength(0);
    expect(d!.cli(['get', 'jobs', 'managed-by']).stdout).toMatch(/\nmanaged-by\s+Running\s+0\/4\s+/);
    // Deleting it is not delegated: nothing else would ever remove it.
    expect(d!.cli(['delete', 'job', 'managed-by']).code).toBe(0);
    expect(d!.cli(['get', 'job', 'managed-by']).code).toBe(1);
  });

  it('should manage the lifecycle of a job', async () => {
    const name = 'e2e-q8w4z';
    const manifest = testJob(name, SUCCEED, { parallelism: 2, completions: 4, suspend: true }).replace(`  name: ${name}\n`, `  name: ${name}\n  labels: {e2e-job-label: ${name}}\n`);
    await start(name, manifest);
    await waitFor('suspended', () => condition(d!.job(name), 'Suspended'));
    expect(d!.cli(['patch', 'job', name, '-p', JSON.stringify({ metadata: { labels: { [name]: 'patched' } } })]).code).toBe(0);
    expect(d!.job(name)?.metadata.labels[name]).toBe('patched');
    expect(d!.cli(['patch', 'job', name, '-p', JSON.stringify({ spec: { suspend: false }, metadata: { annotations: { updated: 'true' } } })]).code).toBe(0);
    const listed = JSON.parse(d!.cli(['get', 'jobs', '-A', '-l', `e2e-job-label=${name}`, '-o', 'json']).stdout) as { items: JobJson[] };
    expect(listed.items).toHaveLength(1);
    await waitForJobComplete(name, 'CompletionsReached', 4);
    expect(d!.cli(['delete', 'jobs', '-l', `e2e-job-label=${name}`]).code).toBe(0);
    const relisted = JSON.parse(d!.cli(['get', 'jobs', '-A', '-l', `e2e-job-label=${name}`, '-o', 'json']).stdout) as { items: JobJson[] };
    expect(relisted.items).toHaveLength(0);
  });
});
