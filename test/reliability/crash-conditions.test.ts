// Crashes around the moments a Job's outcome is decided: a failure while
// siblings run, the interim and terminal conditions, a pod failure policy
// match, a burst of endings, and two pods for one index. Real daemon, real
// processes; gates (files the test creates) order the events.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { JOB_COMPLETION_INDEX, type Pod } from '../../src/api/types.js';
import { containerLogDir } from '../../src/executor/logs/paths.js';
import { readExitCode } from '../../src/executor/runtime/run-records.js';
import { reconcileJob } from '../../src/reconcile/job.js';
import { DEFAULT_RECONCILE_OPTIONS } from '../../src/reconcile/plan.js';
import { getJobByName } from '../../src/store/jobs.js';
import { listPodsOfRun } from '../../src/store/pods.js';
import { at, indexedJob, status, succeeded } from '../helpers/builders.js';
import { checkInvariants, hasCondition, jobStatus, managedDaemons, podAlive, podPgids, podsOf, shJob, withDb } from './harness.js';

const daemon = managedDaemons();

const running = (d: DaemonHandle, job: string, n = 1) =>
  waitFor(`${n} running pod(s) of ${job}`, () => {
    const live = podsOf(d.stateDir, job).filter((p) => podPgids(d.stateDir, p.uid).length > 0 && podAlive(d.stateDir, p.uid));
    return live.length >= n ? live : undefined;
  });

const selfKilled = (d: DaemonHandle) =>
  waitFor('the daemon killed itself', () => d.proc.exitCode !== null || d.proc.signalCode !== null, 20_000);

/** Blocks until the gate file exists; one short sleep per turn keeps hundreds of waiting pods cheap. */
const untilGate = (gate: string, every = '0.1') => `while [ ! -f ${gate} ]; do sleep ${every}; done`;

/** Every pod row of a Job, those gone from listings included. */
const allPodsOf = (stateDir: string, job: string): Pod[] =>
  withDb(stateDir, (db) => {
    const j = getJobByName(db, 'default', job);
    return j === undefined ? [] : listPodsOfRun(db, j.uid);
  });

const finishedAt = (p: Pod) => p.status.containerStatuses[0]?.state.terminated?.finishedAt ?? Infinity;

describe('crash around a Job outcome', () => {
  it('backoffLimit 0: the daemon dies recording one failure among ten running pods; after restart the Job is Failed (BackoffLimitExceeded) and the nine survivors are killed and counted failed (11)', async () => {
    const d = await daemon({
      // The first container termination recorded is the failing pod's: the daemon dies inside that write.
      env: { GITJOBS_TEST_CRASH_AT: 'insert:container_terminations:1' },
      files: {},
    });
    const fail = join(d.dir, 'fail');
    // The first pod to take the lock is the one that fails, once the gate opens; the rest keep running.
    const script = `if mkdir ${join(d.dir, 'lock')} 2>/dev/null; then ${untilGate(fail)}; exit 1; fi; sleep 60`;
    d.writeJob('b.yaml', shJob('b', script, '  backoffLimit: 0\n  parallelism: 10\n  completions: 10\n'));
    const pods = await running(d, 'b', 10);
    writeFileSync(fail, '');
    await selfKilled(d);
    expect(podsOf(d.stateDir, 'b').filter((p) => p.status.phase === 'Failed')).toHaveLength(0);
    const again = await daemon({ dir: d.dir });
    await waitFor('b failed', () => hasCondition(again.stateDir, 'b', 'Failed'), 20_000);
    expect(jobStatus(again.stateDir, 'b')?.conditions.find((c) => c.type === 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(pods.some((p) => podAlive(again.stateDir, p.uid))).toBe(false);
    // The killed survivors are deleted by the failing Job and leave listings once counted: read every row.
    const after = allPodsOf(again.stateDir, 'b');
    expect(after).toHaveLength(10);
    expect(after.filter((p) => p.status.phase !== 'Failed' || p.trackingFinalizer)).toEqual([]);
    expect(after.filter((p) => p.status.containerStatuses[0]?.state.terminated?.exitCode === 1)).toHaveLength(1);
    expect(jobStatus(again.stateDir, 'b')).toMatchObject({ succeeded: 0, failed: 10, active: 0 });
    await checkInvariants(again, { countedGone: ['b'] });
  });

  it('the daemon dies writing FailureTarget; after restart FailureTarget comes first and Failed only once the last pod has ended (12)', async () => {
    const d = await daemon({
      // A fresh Job has no conditions: the first condition row written is the interim one.
      env: { GITJOBS_TEST_CRASH_AT: 'insert:job_conditions:1' },
      files: {},
    });
    const fail = join(d.dir, 'fail');
    // One pod fails at the gate; the other ignores SIGTERM, so it ends only at the grace period's SIGKILL.
    const script = `if mkdir ${join(d.dir, 'lock')} 2>/dev/null; then ${untilGate(fail)}; exit 1; fi; trap "" TERM; sleep 60 & wait; sleep 60`;
    d.writeJob('t.yaml', shJob('t', script, '  backoffLimit: 0\n  parallelism: 2\n  completions: 2\n'));
    await running(d, 't', 2);
    writeFileSync(fail, '');
    await selfKilled(d);
    expect(jobStatus(d.stateDir, 't')?.conditions ?? []).toEqual([]);
    const again = await daemon({ dir: d.dir });
    // Read the conditions before the processes: a Failed seen while a pod still runs is a violation.
    let sawInterimAlone = false;
    await waitFor(
      't failed',
      () => {
        const types = (jobStatus(again.stateDir, 't')?.conditions ?? []).map((c) => c.type);
        const alive = allPodsOf(again.stateDir, 't').some((p) => podAlive(again.stateDir, p.uid));
        if (types.includes('Failed') && alive) throw new Error('Failed while a pod still runs');
        if (types.includes('FailureTarget') && !types.includes('Failed')) sawInterimAlone = true;
        return types.includes('Failed');
      },
      20_000,
      20,
    );
    expect(sawInterimAlone).toBe(true);
    const conditions = jobStatus(again.stateDir, 't')!.conditions;
    expect(conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded']);
    const lastPodEnd = Math.max(...allPodsOf(again.stateDir, 't').map(finishedAt));
    expect(Number.isFinite(lastPodEnd)).toBe(true);
    expect(conditions[1]!.lastTransitionTime).toBeGreaterThanOrEqual(lastPodEnd);
    expect(conditions[1]!.lastTransitionTime).toBeGreaterThanOrEqual(conditions[0]!.lastTransitionTime);
    expect(jobStatus(again.stateDir, 't')).toMatchObject({ succeeded: 0, failed: 2 });
    await checkInvariants(again, { countedGone: ['t'] });
  });

  it('podFailurePolicy FailJob on exit 5: the daemon dies before marking the Job failed and the pod folder is collected meanwhile; after restart the Job is Failed (PodFailurePolicy) (13)', async () => {
    const d = await daemon({ env: { GITJOBS_TEST_CRASH_AT: 'insert:job_conditions:1' }, files: {} });
    const policy =
      '  backoffLimit: 6\n  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes:\n        operator: In\n        values: [5]\n';
    // Only the first pod exits 5: a replacement, had one been made, would keep running and show.
    d.writeJob('p.yaml', shJob('p', `if mkdir ${join(d.dir, 'lock')} 2>/dev/null; then exit 5; fi; sleep 60`, policy));
    await selfKilled(d);
    const [pod, ...rest] = podsOf(d.stateDir, 'p');
    expect(rest).toHaveLength(0);
    expect(pod!.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(5);
    // The pod's log folder holds its run records too: all of it goes.
    const runFolder = dirname(containerLogDir(d.stateDir, pod!.namespace, pod!.name, pod!.uid, 'c'));
    expect(readExitCode(`${runFolder}/c/0.`)).toBe(5);
    rmSync(runFolder, { recursive: true, force: true });
    const again = await daemon({ dir: d.dir });
    await waitFor('p failed', () => hasCondition(again.stateDir, 'p', 'Failed'), 20_000);
    const status = jobStatus(again.stateDir, 'p')!;
    expect(status.conditions.find((c) => c.type === 'Failed')?.reason).toBe('PodFailurePolicy');
    expect(status).toMatchObject({ succeeded: 0, failed: 1, active: 0 });
    const pods = podsOf(again.stateDir, 'p');
    expect(pods.map((p) => p.uid)).toEqual([pod!.uid]);
    expect(pods[0]!.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(5);
    await checkInvariants(again);
  });

  it('500 pods ending together (node limit raised to 600) are each counted once: succeeded 500, failed 0, Job Complete (16)', async () => {
    // 500 at once is past the node's default pod limit (110).
    const n = 500;
    const d = await daemon({ extraArgs: ['--node-max-pods', '600'], files: {} });
    // The pods wait on a shared flock of a file the test holds: blocked in the kernel, 500 waiting pods
    // cost nothing, where 500 polling shells were a thousand execs a second on two cores.
    const lock = join(d.dir, 'gate.lock');
    writeFileSync(lock, '');
    const holder = spawn('flock', [lock, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await waitFor('the gate held', () => spawnSync('flock', ['-n', '-s', lock, 'true']).status === 1);
      d.writeJob('many.yaml', shJob('many', `flock -s ${lock} true; exit 0`, `  parallelism: ${n}\n  completions: ${n}\n  backoffLimit: 0\n`));
      await waitFor(`${n} pods running`, () => podsOf(d.stateDir, 'many').filter((p) => p.status.phase === 'Running').length === n, 40_000, 250);
    } finally {
      // Opened even when the wait fails, so no pod is left waiting for a test that is over.
      holder.stdin!.end();
    }
    await waitFor('many complete', () => hasCondition(d.stateDir, 'many', 'Complete'), 30_000, 200);
    expect(jobStatus(d.stateDir, 'many')).toMatchObject({ succeeded: n, failed: 0, active: 0 });
    const pods = podsOf(d.stateDir, 'many');
    expect(pods).toHaveLength(n);
    expect(pods.filter((p) => p.status.phase !== 'Succeeded' || p.trackingFinalizer)).toEqual([]);
    await checkInvariants(d);
  });

  it('Indexed: a pod deleted while it runs is replaced for its index and both exit 0 while the daemon is down; the index is counted once, the deleted pod as failed as Kubernetes counts it (17)', async () => {
    const d = await daemon({ files: {} });
    const gate = join(d.dir, 'gate');
    // Both pods ignore SIGTERM (inherited by the sleeps), so the deleted one finishes its grace period at the gate and exits 0.
    d.writeJob('ix.yaml', shJob('ix', `trap "" TERM; ${untilGate(gate)}; exit 0`, '  completionMode: Indexed\n  completions: 1\n  parallelism: 1\n  backoffLimit: 6\n'));
    const [first] = await running(d, 'ix');
    const del = d.cli(['delete', 'pod', first!.name, '--grace-period', '60', '--wait=false']);
    expect(del.code, del.stderr).toBe(0);
    const second = await waitFor('a replacement for index 0 running', () =>
      podsOf(d.stateDir, 'ix').find((p) => p.uid !== first!.uid && podPgids(d.stateDir, p.uid).length > 0 && podAlive(d.stateDir, p.uid)),
    );
    expect(second.annotations[JOB_COMPLETION_INDEX]).toBe('0');
    expect(podAlive(d.stateDir, first!.uid)).toBe(true);
    // Both end while the daemon is down, so the restarted daemon reads two successes for index 0 in one pass.
    await d.stop('SIGKILL');
    writeFileSync(gate, '');
    await waitFor('both workloads ended', () => !podAlive(d.stateDir, first!.uid) && !podAlive(d.stateDir, second.uid));
    const again = await daemon({ dir: d.dir });
    await waitFor('ix complete', () => hasCondition(again.stateDir, 'ix', 'Complete'), 20_000);
    // The deleted pod leaves listings once its outcome is taken in, so read both endings from the database.
    const exits = withDb(again.stateDir, (db) =>
      db.prepare('SELECT pod_uid AS uid, exit_code AS code FROM container_terminations WHERE pod_uid IN (?, ?) ORDER BY pod_uid').all(first!.uid, second.uid),
    );
    expect(exits).toEqual([first!.uid, second.uid].sort().map((uid) => ({ uid, code: 0 })));
    // A pod being deleted counts as failed at once (its later exit 0 changes nothing); its index is still open.
    expect(jobStatus(again.stateDir, 'ix')).toMatchObject({ succeeded: 1, failed: 1, completedIndexes: '0' });
    expect(again.job('ix')?.status).toMatchObject({ succeeded: 1, failed: 1, completedIndexes: '0' });
    await checkInvariants(again, { countedGone: ['ix'] });
  });

  // Through the daemon the deleted pod is counted before it ends, so two successes
  // for one index reaching the same pass (adoption, a re-attach race) are covered here.
  it.each([
    { given: 'two Succeeded pods for index 0 in one pass', prior: status({ startTime: at(0) }), pods: 2 },
    { given: 'a second Succeeded pod for an index already completed', prior: status({ startTime: at(0), succeeded: 1, completedIndexes: '0' }), pods: 1 },
  ])('Indexed, $given: completedIndexes lists it once and succeeded counts 1 (17)', ({ prior, pods: n }) => {
    const job = indexedJob(2, 2);
    const pods = succeeded(n, at(10), { job, index: 0 });
    const plan = reconcileJob({ job, status: prior, pods, options: DEFAULT_RECONCILE_OPTIONS }, at(1000));
    expect(plan.status).toMatchObject({ succeeded: 1, completedIndexes: '0', failed: 0 });
    expect(plan.finalize.sort()).toEqual(pods.map((p) => p.uid).sort());
    // Index 0 is done; only index 1 is still to run.
    expect(plan.create).toEqual([{ index: 1 }]);
    expect(plan.status.conditions).toEqual([]);
  });
});
