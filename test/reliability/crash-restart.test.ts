// Crash and restart scenarios with the real daemon and real processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { existingRunRecords } from '../../src/executor/logs/paths.js';
import { procStartTime } from '../../src/executor/runtime/process.js';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, liveMembers, podAlive, podPgids, podsOf, shJob } from './harness.js';
import { RUN_FILE, readSupervisor } from '../../src/executor/runtime/run-records.js';

let handles: DaemonHandle[] = [];
const strays: number[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
  for (const pid of strays.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function daemon(opts: Parameters<typeof startDaemon>[0] = {}): Promise<DaemonHandle> {
  const d = await startDaemon(opts);
  handles.push(d);
  return d;
}

const started = (d: DaemonHandle, job: string, n = 1) =>
  waitFor(`${n} running pod(s) of ${job}`, () => {
    const live = podsOf(d.stateDir, job).filter((p) => podPgids(d.stateDir, p.uid).length > 0 && podAlive(d.stateDir, p.uid));
    return live.length >= n ? live : undefined;
  });

describe('crash and restart', () => {
  it('daemon SIGKILLed while a pod runs: the restarted daemon re-attaches instead of respawning, one success (1)', async () => {
    // The pod runs until the restarted daemon is up, however long a loaded machine takes to restart it.
    const go = join(mkdtempSync(join(tmpdir(), 'gitjobs-go-')), 'go');
    const d = await daemon({ files: { 'a.yaml': shJob('a', `while [ ! -e ${go} ]; do sleep 0.05; done; echo done`) } });
    const [pod] = await started(d, 'a');
    await d.stop('SIGKILL');
    const again = await daemon({ dir: d.dir });
    writeFileSync(go, '');
    await waitFor('a complete', () => hasCondition(again.stateDir, 'a', 'Complete'));
    expect(podsOf(again.stateDir, 'a').map((p) => p.uid)).toEqual([pod!.uid]);
    expect(jobStatus(again.stateDir, 'a')).toMatchObject({ succeeded: 1, failed: 0 });
    expect(again.log()).toContain('re-attached to running container');
    await checkInvariants(again);
  });

  it('a pod that exits while the daemon is down is counted once from its exit file (2)', async () => {
    const d = await daemon({ files: { 'b.yaml': shJob('b', 'sleep 0.5; exit 3', '  backoffLimit: 0\n') } });
    const [pod] = await started(d, 'b');
    await d.stop('SIGKILL');
    await waitFor('workload ended', () => !podAlive(d.stateDir, pod!.uid));
    const again = await daemon({ dir: d.dir });
    await waitFor('b failed', () => hasCondition(again.stateDir, 'b', 'Failed'));
    const [p] = podsOf(again.stateDir, 'b');
    expect(p?.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(3);
    expect(jobStatus(again.stateDir, 'b')).toMatchObject({ succeeded: 0, failed: 1 });
    await checkInvariants(again);
  });

  it('SIGTERM stops the daemon gracefully, pods keep running, and the next daemon re-attaches (20)', async () => {
    const d = await daemon({ files: { 't.yaml': shJob('t', 'sleep 1.5') } });
    const [pod] = await started(d, 't');
    expect(await d.stop('SIGTERM')).toBe(0);
    expect(podAlive(d.stateDir, pod!.uid)).toBe(true);
    const again = await daemon({ dir: d.dir });
    await waitFor('t complete', () => hasCondition(again.stateDir, 't', 'Complete'));
    expect(podsOf(again.stateDir, 't')).toHaveLength(1);
    await checkInvariants(again);
  });

  it('a recorded supervisor pid now used by an unrelated process is neither adopted nor signalled; the pod is Lost (19)', async () => {
    const d = await daemon({ files: { 'r.yaml': shJob('r', 'sleep 30', '  backoffLimit: 0\n') } });
    const [pod] = await started(d, 'r');
    await d.stop('SIGKILL');
    const records = existingRunRecords(d.stateDir, pod!, 'c', 0);
    process.kill(readSupervisor(records)!.pid, 'SIGKILL');
    for (const g of podPgids(d.stateDir, pod!.uid)) process.kill(-g, 'SIGKILL');
    // The pid now belongs to someone else: same number as recorded, another start time.
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    strays.push(stranger.pid!);
    const file = `${records}${RUN_FILE}`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^supervisor .*$/m, `supervisor ${stranger.pid} ${(procStartTime(stranger.pid!) ?? 0) + 1}`));
    const again = await daemon({ dir: d.dir });
    await waitFor('r failed', () => hasCondition(again.stateDir, 'r', 'Failed'));
    expect(podsOf(again.stateDir, 'r')[0]?.status.containerStatuses[0]?.state.terminated).toMatchObject({ reason: 'Lost', exitCode: 137 });
    expect(liveMembers(stranger.pid!)).toEqual([stranger.pid]);
    expect(again.log()).not.toContain('re-attached to running container');
    await checkInvariants(again);
  });

  it('a Job deleted from its folder while the daemon is down: its pods are killed on restart and nothing is counted (9)', async () => {
    const d = await daemon({ files: { 'gone.yaml': shJob('gone', 'sleep 30', '  parallelism: 2\n  completions: 2\n') } });
    const pods = await started(d, 'gone', 2);
    await d.stop('SIGKILL');
    d.removeJob('gone.yaml');
    const again = await daemon({ dir: d.dir });
    await waitFor('pods of the deleted Job stopped', () => pods.every((p) => !podAlive(again.stateDir, p.uid)), 15_000);
    await waitFor('Job removed', () => again.job('gone') === undefined);
    await checkInvariants(again);
  });
});
