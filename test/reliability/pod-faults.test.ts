// Faults in and around pods: killed supervisors and workloads, deletion,
// suspend and scale-down while pods run. Real daemon, real processes.
import { describe, expect, it } from 'vitest';
import { existingRunRecords } from '../../src/executor/logs/paths.js';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, managedDaemons, podAlive, podPgids, podsOf, sampleParallelism, shJob } from './harness.js';
import { readSupervisor } from '../../src/executor/runtime/run-records.js';

const daemon = managedDaemons();

const running = (d: DaemonHandle, job: string, n = 1, exclude: string[] = []) =>
  waitFor(`${n} running pod(s) of ${job}`, () => {
    const live = podsOf(d.stateDir, job).filter((p) => !exclude.includes(p.uid) && podPgids(d.stateDir, p.uid).length > 0 && podAlive(d.stateDir, p.uid));
    return live.length >= n ? live : undefined;
  });

describe('pod faults', () => {
  it('workload killed with SIGKILL: exit 137, replaced after the back-off base, then twice the base (7)', async () => {
    const d = await daemon({ backoff: '1s', files: { 'k.yaml': shJob('k', 'sleep 30', '  backoffLimit: 2\n') } });
    const killed: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [pod] = await running(d, 'k', 1, killed);
      process.kill(-podPgids(d.stateDir, pod!.uid)[0]!, 'SIGKILL');
      killed.push(pod!.uid);
    }
    await running(d, 'k', 1, killed);
    const pods = podsOf(d.stateDir, 'k').sort((a, b) => a.creationTimestamp - b.creationTimestamp);
    expect(pods).toHaveLength(3);
    const delays = [0, 1].map((i) => pods[i + 1]!.creationTimestamp - pods[i]!.status.containerStatuses[0]!.state.terminated!.finishedAt!);
    expect(pods[0]!.status.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
    expect(delays[0]).toBeLessThan(2000);
    expect(delays[1]).toBeGreaterThanOrEqual(2000);
    expect(delays[1]).toBeLessThan(4000);
    expect(jobStatus(d.stateDir, 'k')?.failed).toBe(2);
    await checkInvariants(d);
  });

  it('workload terminated with SIGTERM is recorded as exit 143 (8)', async () => {
    const d = await daemon({ files: { 's.yaml': shJob('s', 'sleep 30', '  backoffLimit: 0\n') } });
    const [pod] = await running(d, 's');
    process.kill(-podPgids(d.stateDir, pod!.uid)[0]!, 'SIGTERM');
    await waitFor('s failed', () => hasCondition(d.stateDir, 's', 'Failed'));
    expect(podsOf(d.stateDir, 's')[0]!.status.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    await checkInvariants(d);
  });

  it('a Job removed while its pods run: SIGTERM, SIGKILL after the grace period, nothing counted as failed (10)', async () => {
    // The workload ignores SIGTERM, so only the SIGKILL after the grace period (1 s) ends it.
    const d = await daemon({ files: { 'del.yaml': shJob('del', 'trap "" TERM; sleep 30 & wait; sleep 30', '  parallelism: 2\n  completions: 2\n') } });
    const pods = await running(d, 'del', 2);
    const t0 = Date.now();
    d.removeJob('del.yaml');
    await waitFor('pods killed', () => pods.every((p) => !podAlive(d.stateDir, p.uid)), 15_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    await waitFor('Job removed', () => d.job('del') === undefined);
    const history = d.cli(['history', 'job', 'del']);
    expect(history.code).toBe(0);
    await checkInvariants(d);
  });

  it('suspend terminates running pods without counting them; a restart while suspended starts nothing; resume runs again (14)', async () => {
    const spec = (suspend: boolean) => shJob('sus', 'sleep 1', `  suspend: ${suspend}\n  parallelism: 2\n  completions: 2\n  backoffLimit: 0\n`);
    const d = await daemon({ files: { 'sus.yaml': spec(false) } });
    const first = await running(d, 'sus', 2);
    d.writeJob('sus.yaml', spec(true));
    await waitFor('suspended', () => hasCondition(d.stateDir, 'sus', 'Suspended'));
    await waitFor('pods stopped', () => first.every((p) => !podAlive(d.stateDir, p.uid)));
    expect(jobStatus(d.stateDir, 'sus')).toMatchObject({ failed: 0, active: 0 });
    await d.stop('SIGKILL');
    const again = await daemon({ dir: d.dir });
    const before = podsOf(again.stateDir, 'sus').length;
    // `sync` returns once the daemon has read its folder again and applied it.
    expect(again.cli(['sync']).code).toBe(0);
    expect(podsOf(again.stateDir, 'sus')).toHaveLength(before);
    expect(podsOf(again.stateDir, 'sus').some((p) => podAlive(again.stateDir, p.uid))).toBe(false);
    again.writeJob('sus.yaml', spec(false));
    await waitFor('complete after resume', () => hasCondition(again.stateDir, 'sus', 'Complete'));
    expect(jobStatus(again.stateDir, 'sus')).toMatchObject({ succeeded: 2, failed: 0 });
    await checkInvariants(again);
  });

  it('parallelism lowered mid-run: extra pods are terminated, not counted as failures, never more pods than allowed (15)', async () => {
    const spec = (p: number) => shJob('par', 'sleep 1.5', `  parallelism: ${p}\n  completions: 3\n  backoffLimit: 0\n`);
    const d = await daemon({ files: { 'par.yaml': spec(3) } });
    await running(d, 'par', 3);
    d.writeJob('par.yaml', spec(1));
    await waitFor('scaled down', () => podsOf(d.stateDir, 'par').filter((p) => podAlive(d.stateDir, p.uid)).length === 1);
    const sampler = sampleParallelism(d.stateDir, 'par');
    try {
      await waitFor('par complete', () => hasCondition(d.stateDir, 'par', 'Complete'), 20_000);
    } finally {
      sampler.stop();
    }
    expect(sampler.max()).toBeLessThanOrEqual(1);
    expect(jobStatus(d.stateDir, 'par')).toMatchObject({ succeeded: 3, failed: 0 });
    expect(hasCondition(d.stateDir, 'par', 'Failed')).toBe(false);
    await checkInvariants(d);
  });

  // Without an exit file the outcome is unknown: the pod is Lost, and its orphaned
  // workload (checked to still be the process we started) is killed.
  it('supervisor SIGKILLed while its workload runs: pod Failed (Lost), counted against backoffLimit, workload not left running (6)', async () => {
    const d = await daemon({ files: { 'w.yaml': shJob('w', 'sleep 30', '  backoffLimit: 0\n') } });
    const [pod] = await running(d, 'w');
    const sup = await waitFor('the supervisor record', () => readSupervisor(existingRunRecords(d.stateDir, pod!, 'c', 0)));
    process.kill(sup.pid, 'SIGKILL');
    await waitFor('w failed', () => hasCondition(d.stateDir, 'w', 'Failed'));
    expect(podsOf(d.stateDir, 'w')[0]!.status.containerStatuses[0]!.state.terminated).toMatchObject({ reason: 'Lost', exitCode: 137 });
    expect(jobStatus(d.stateDir, 'w')?.failed).toBe(1);
    await waitFor('workload of the Lost pod stopped', () => !podAlive(d.stateDir, pod!.uid), 3000);
    await checkInvariants(d);
  });
});
