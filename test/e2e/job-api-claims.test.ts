import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { condition, startDaemon, waitFor, type DaemonHandle, type JobJson, type PodJson } from '../helpers/e2e.js';

// Which pods a Job controls (selectors, adoption, release) and Indexed Jobs
// whose completions change with their parallelism, end to end.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

type Pod = PodJson & { metadata: PodJson['metadata'] & { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] } };

const pods = (selector: string): Pod[] => d!.pods(selector) as Pod[];
const owner = (pod: Pod | undefined): { kind: string; name: string; uid: string } | undefined => pod?.metadata.ownerReferences?.[0];
const podNamed = (name: string): Pod | undefined => pods('').find((p) => p.metadata.name === name);

/** Waits on a file the test creates, so a pod ends exactly when the test says. */
const waitForGo = (dir: string): string => `while [ ! -e ${dir}/go ]; do sleep 0.05; done`;

function job(name: string, spec: string, script: string, templateLabels = `job: ${name}`): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec.trimEnd()}
  template:
    metadata:
      labels: {${templateLabels}}
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}

/**
 * Kubernetes' scenario edits a pod through the API; gitjobs has no verb that
 * edits a pod, so the test changes the pod's row as that API call would, then
 * touches the Job so its controller looks again.
 */
function editPod(podUid: string, sql: string, jobName: string): void {
  const db = new Database(join(d!.stateDir, 'gitjobs.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare(sql).run(podUid);
  } finally {
    db.close();
  }
  expect(d!.cli(['patch', 'job', jobName, '-p', JSON.stringify({ metadata: { annotations: { touched: String(Date.now()) } } })]).code).toBe(0);
}

describe('selectors and adoption', () => {
  it('should adopt matching orphans and release non-matching pods', async () => {
    d = await startDaemon({ backoff: '100ms', files: { 'adopt-release.yaml': job('adopt-release', '  parallelism: 2\n  completions: 4', 'exec sleep 1000000') } });
    const running = await waitFor('2 running', () => {
      const r = pods('job=adopt-release').filter((p) => p.status.phase === 'Running');
      return r.length === 2 ? r : undefined;
    });
    const jobUid = d.job('adopt-release')!.metadata.uid;
    const pod = running[0]!;
    editPod(pod.metadata.uid, 'UPDATE pods SET owner_uid = NULL, tracking_finalizer = 0 WHERE uid = ?', 'adopt-release');
    const adopted = await waitFor('adopted again', () => (owner(podNamed(pod.metadata.name))?.uid === jobUid ? podNamed(pod.metadata.name) : undefined));
    expect(owner(adopted)).toMatchObject({ kind: 'Job', name: 'adopt-release', uid: jobUid });
    expect(d.job('adopt-release')!.status.active).toBe(2);

    editPod(pod.metadata.uid, "UPDATE pods SET labels_json = '{}' WHERE uid = ?", 'adopt-release');
    const released = await waitFor('released', () => {
      const p = podNamed(pod.metadata.name);
      return p !== undefined && owner(p) === undefined ? p : undefined;
    });
    expect(released.status.phase).toBe('Running');
    // The Job replaces the pod it let go.
    await waitFor('a replacement', () => pods('job=adopt-release').filter((p) => p.status.phase === 'Running').length === 2);
  });

  it('a new Job with manualSelector adopts the pods of a Job deleted with --cascade=orphan and counts them', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    writeFileSync(join(dir, 'old.yaml'), job('old', '  completions: 1', waitForGo(dir)));
    expect(d.cli(['apply', '-f', join(dir, 'old.yaml')]).code).toBe(0);
    const [oldPod] = await waitFor('old pod running', () => {
      const r = pods('job=old').filter((p) => p.status.phase === 'Running');
      return r.length === 1 ? r : undefined;
    });
    const oldUid = d.job('old')!.metadata.uid;
    expect(d.cli(['delete', 'job', 'old', '--cascade=orphan']).code).toBe(0);
    await waitFor('orphaned', () => owner(podNamed(oldPod!.metadata.name)) === undefined);

    const selector = `  completions: 1\n  manualSelector: true\n  selector:\n    matchLabels:\n      controller-uid: ${oldUid}`;
    writeFileSync(join(dir, 'new.yaml'), job('new', selector, waitForGo(dir), `controller-uid: ${oldUid}`));
    expect(d.cli(['apply', '-f', join(dir, 'new.yaml')]).code).toBe(0);
    const newUid = d.job('new')!.metadata.uid;
    await waitFor('adopted by new', () => owner(podNamed(oldPod!.metadata.name))?.uid === newUid);
    expect(d.job('new')!.status.active).toBe(1);

    writeFileSync(join(dir, 'go'), '');
    const done = await waitFor('new complete', () => (condition(d!.job('new'), 'Complete') ? d!.job('new') : undefined));
    expect(done.status.succeeded).toBe(1);
    // The adopted pod did the work: the new Job never needed a pod of its own.
    expect(d.cli(['describe', 'job', 'new']).stdout).not.toMatch(/SuccessfulCreate/);
  });

  it('never takes a pod controlled by another Job, even one its selector matches', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    d.writeJob('first.yaml', job('first', '  completions: 1', waitForGo(dir), 'app: shared'));
    const [firstPod] = await waitFor('first running', () => {
      const r = pods('job-name=first').filter((p) => p.status.phase === 'Running');
      return r.length === 1 ? r : undefined;
    });
    d.writeJob('second.yaml', job('second', '  completions: 1\n  manualSelector: true\n  selector:\n    matchLabels: {app: shared}', waitForGo(dir), 'app: shared'));
    await waitFor('second has its own pod', () => (d!.job('second')?.status.active === 1 ? true : undefined));
    expect(owner(podNamed(firstPod!.metadata.name))?.name).toBe('first');
    expect(pods('app=shared').map((p) => owner(p)?.name).sort()).toEqual(['first', 'second']);
    writeFileSync(join(dir, 'go'), '');
    const [first, second] = await waitFor('both complete', () => {
      const both = [d!.job('first'), d!.job('second')];
      return both.every((j) => condition(j, 'Complete')) ? both : undefined;
    });
    expect(first!.status.succeeded).toBe(1);
    expect(second!.status.succeeded).toBe(1);
  });
});

describe('elastic Indexed Jobs', () => {
  const indexed = (n: number, dir: string): string =>
    job('elastic', `  completionMode: Indexed\n  completions: ${n}\n  parallelism: ${n}`, waitForGo(dir));

  it('completions changed together with parallelism scale the running Job in place', async () => {
    d = await startDaemon({ backoff: '100ms' });
    const dir = d.dir;
    d.writeJob('elastic.yaml', indexed(2, dir));
    await waitFor('2 active', () => d!.job('elastic')?.status.active === 2);
    const uid = d.job('elastic')!.metadata.uid;

    const r = d.cli(['patch', 'job', 'elastic', '-p', '{"spec":{"completions":4,"parallelism":4}}']);
    expect(r.code).toBe(0);
    await waitFor('4 active', () => d!.job('elastic')?.status.active === 4);
    expect(d.job('elastic')!.metadata.uid).toBe(uid);
    const indexes = pods('job-name=elastic').map((p) => p.metadata.labels['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2', '3']);

    // The manifest follows: scaling down through the source deletes the highest indexes.
    d.writeJob('elastic.yaml', indexed(3, dir));
    await waitFor('3 active', () => d!.job('elastic')?.status.active === 3 && d!.job('elastic')?.status.terminating === 0);
    expect(d.job('elastic')!.metadata.uid).toBe(uid);
    writeFileSync(join(dir, 'go'), '');
    const done = await waitFor('complete', () => (condition(d!.job('elastic'), 'Complete') ? d!.job('elastic') : undefined));
    expect(done.status.succeeded).toBe(3);
    expect(done.status.completedIndexes).toBe('0-2');
  });

  it('completions changed without parallelism are refused with the API server message', async () => {
    d = await startDaemon({ backoff: '100ms' });
    d.writeJob('elastic.yaml', indexed(2, d.dir));
    await waitFor('created', () => d!.job('elastic'));
    const r = d.cli(['patch', 'job', 'elastic', '-p', '{"spec":{"completions":3}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Job "elastic" is invalid: spec.completions: Invalid value: 3: can only be modified in tandem with spec.parallelism\n');
    const job = d.job('elastic') as JobJson;
    expect(job.spec.completions).toBe(2);
  });
});
