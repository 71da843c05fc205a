// Container starts go through the daemon's spawner, the compiled launcher
// (where `npm run build` made it) or the Node fork server: its supervisors are
// the spawner's children, and losing the spawner loses no pod.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SPAWNER_ENV } from '../../src/daemon/daemon.js';
import { existingRunRecords } from '../../src/executor/logs/paths.js';
import { NATIVE_SUPERVISOR_PATH } from '../../src/executor/runtime/supervisor.js';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, podsOf, shJob } from './harness.js';
import { readSupervisor } from '../../src/executor/runtime/run-records.js';

let handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
});

function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

const SPAWNERS: { name: string; env: Record<string, string>; cmdline: string; ended: string; skip: boolean }[] = [
  { name: 'the launcher', env: {}, cmdline: 'pod-supervisor-', ended: 'the launcher ended', skip: !existsSync(NATIVE_SUPERVISOR_PATH) },
  { name: 'the Node fork server', env: { [SPAWNER_ENV]: 'node' }, cmdline: 'fork-server-main.js', ended: 'the fork server ended', skip: false },
];

/** The supervisor of the running pod of a Job, once it has recorded itself. */
async function runningSupervisor(d: DaemonHandle, job: string, exclude: string[] = []): Promise<{ uid: string; pid: number }> {
  return waitFor(`a running pod of ${job}`, () => {
    for (const p of podsOf(d.stateDir, job)) {
      if (exclude.includes(p.uid) || p.status.phase !== 'Running') continue;
      const sup = readSupervisor(existingRunRecords(d.stateDir, p, 'c', 0));
      if (sup !== undefined) return { uid: p.uid, pid: sup.pid };
    }
    return undefined;
  });
}

describe.each(SPAWNERS)('$name', (sp) => {
  /** The daemon's children that are its spawner. */
  function spawners(daemonPid: number): number[] {
    const kids = readFileSync(`/proc/${daemonPid}/task/${daemonPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.filter((k) => cmdline(k).includes(sp.cmdline));
  }

  it.skipIf(sp.skip)('starts the supervisors, so the daemon itself never forks for a pod', async () => {
    const d = await startDaemon({ files: {}, env: sp.env });
    handles.push(d);
    const gate = join(d.dir, 'go');
    d.writeJob('fs.yaml', shJob('fs', `while [ ! -e ${gate} ]; do sleep 0.05; done`));
    const sup = await runningSupervisor(d, 'fs');
    const [server] = spawners(d.proc.pid!);
    expect(server).toBeDefined();
    expect(parentOf(sup.pid)).toBe(server);
    writeFileSync(gate, '');
    await waitFor('fs complete', () => hasCondition(d.stateDir, 'fs', 'Complete'));
  });

  it.skipIf(sp.skip)('killed while its pod runs: the pod is still counted once, and the next pod starts under a new one', async () => {
    const d = await startDaemon({ files: {}, env: sp.env });
    handles.push(d);
    const gate = join(d.dir, 'go');
    // Each pod waits for the gate and takes it away: the test lets them through one by one.
    d.writeJob('two.yaml', shJob('two', `while ! rm ${gate} 2>/dev/null; do sleep 0.05; done`, '  completions: 2\n  parallelism: 1\n'));
    const first = await runningSupervisor(d, 'two');
    const [server] = spawners(d.proc.pid!);
    process.kill(server!, 'SIGKILL');
    await waitFor('the daemon noticed', () => d.log().includes(sp.ended));
    writeFileSync(gate, '');
    const second = await runningSupervisor(d, 'two', [first.uid]);
    const [again] = spawners(d.proc.pid!);
    expect(again).toBeDefined();
    expect(again).not.toBe(server);
    expect(parentOf(second.pid)).toBe(again);
    writeFileSync(gate, '');
    await waitFor('two complete', () => hasCondition(d.stateDir, 'two', 'Complete'));
    expect(jobStatus(d.stateDir, 'two')).toMatchObject({ succeeded: 2, failed: 0 });
    // The first pod's end was read from its records (its supervisor was nobody's child any more).
    expect(podsOf(d.stateDir, 'two').map((p) => p.status.containerStatuses[0]?.state.terminated?.exitCode)).toEqual([0, 0]);
    await checkInvariants(d);
  });
});
