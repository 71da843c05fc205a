import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod } from '../../src/api/types.js';
import { findPod } from '../../src/executor/kubelet-recovery.js';
import { runRecords } from '../../src/executor/logs/paths.js';
import { initialPodStatus } from '../../src/executor/pod/status.js';
import { procStartTime } from '../../src/executor/runtime/process.js';
import { barePod } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

// What a restarted daemon makes of a live pod: its row read against the
// records its runs left, in real files; a "running" supervisor is this test
// process itself (pid and kernel start time).

const state = tempDir('gitjobs-recovery-');
afterAll(() => rmSync(state, { recursive: true, force: true }));
let n = 0;

function pod(containers: ContainerStatus[] = []): Pod {
  const p = barePod({ uid: `u${n++}`, restartPolicy: 'OnFailure' });
  p.status = containers.length === 0 ? initialPodStatus(p, 1) : { phase: 'Running', conditions: [], initContainerStatuses: [], containerStatuses: containers };
  return p;
}

function record(p: Pod, attempt: number, files: Record<string, string>): void {
  const rec = runRecords(state, p.namespace, p.name, p.uid, 'main', attempt);
  mkdirSync(dirname(rec), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(`${rec}${f}`, text);
}

const me = `${process.pid} ${procStartTime(process.pid)}\n`;
const running = (restartCount = 0): ContainerStatus => ({ name: 'main', state: { running: { startedAt: 2 } }, ready: true, restartCount, started: true });

describe('a live pod found after a restart', () => {
  it('never started: fresh, to start as any new pod', () => {
    expect(findPod(state, pod(), false)).toMatchObject({ fresh: true, changed: false, containers: [{ name: 'main', kind: 'waiting', retry: false }] });
  });

  it('spawned but the daemon died before recording it: started, not fresh, and its run followed', () => {
    const p = pod();
    record(p, 0, { supervisor: me });
    const found = findPod(state, p, false);
    expect(found.fresh).toBe(false);
    expect(found.changed).toBe(true);
    expect(found.status.containerStatuses[0]?.state.running).toBeDefined();
    expect(found.containers).toMatchObject([{ name: 'main', kind: 'running', run: { attempt: 0, pid: process.pid } }]);
  });

  it('its supervisor still running: re-attached, with its cgroup leaf', () => {
    const p = pod([running(2)]);
    record(p, 2, { supervisor: me });
    expect(findPod(state, p, true).containers).toMatchObject([{ kind: 'running', run: { attempt: 2, pid: process.pid, leaf: 'main.2' } }]);
  });

  it('started by an older daemon, which kept its records in the pod folder: still re-attached', () => {
    const p = pod([running(1)]);
    mkdirSync(join(state, 'pods', p.uid, 'main.1'), { recursive: true });
    writeFileSync(join(state, 'pods', p.uid, 'main.1', 'supervisor'), me);
    expect(findPod(state, p, false).containers).toMatchObject([{ kind: 'running', run: { attempt: 1, pid: process.pid } }]);
  });

  it('ended while no daemon watched: its exit record says so, even with the supervisor alive', () => {
    const p = pod([running()]);
    record(p, 0, { supervisor: me, exit: '3\n' });
    expect(findPod(state, p, false).containers).toMatchObject([{ kind: 'ended' }]);
  });

  it('its supervisor gone without an exit record (its pid now another process): ended, to be counted Lost', () => {
    const p = pod([running()]);
    record(p, 0, { supervisor: `${process.pid} ${(procStartTime(process.pid) ?? 0) + 1}\n` });
    expect(findPod(state, p, false).containers).toMatchObject([{ kind: 'ended', run: { pid: process.pid } }]);
  });

  it('no supervisor record at all for a container the row says runs: ended', () => {
    expect(findPod(state, pod([running()]), false).containers).toMatchObject([{ kind: 'ended', run: { pid: 0 } }]);
  });

  it('waiting out a restart back-off: the restart is due again', () => {
    const waiting: ContainerStatus = { name: 'main', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: 3 } }, ready: false, restartCount: 1 };
    expect(findPod(state, pod([waiting]), false).containers).toEqual([{ name: 'main', kind: 'waiting', retry: true }]);
  });

  it('a container that ended for good is not looked at', () => {
    const done: ContainerStatus = { name: 'main', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: 3 } }, ready: false, restartCount: 0 };
    expect(findPod(state, pod([done]), false)).toMatchObject({ fresh: false, changed: false, containers: [] });
  });
});
