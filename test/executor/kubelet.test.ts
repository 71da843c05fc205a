import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../src/api/types.js';
import { Kubelet } from '../../src/executor/kubelet.js';
import { openDb, type Db } from '../../src/store/db.js';
import { getPod, insertPod, listContainerTerminations, requestPodDeletion } from '../../src/store/pods.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { barePod, container } from '../helpers/builders.js';
import { tempDir, waitFor } from '../helpers/e2e.js';

// The kubelet driven directly, on a real SQLite file with real processes: a
// pod row goes in, the kubelet runs it, and its row says how it went.

let dir: string;
let db: Db;
let kubelet: Kubelet;
let told: string[];

beforeEach(() => {
  dir = tempDir('gitjobs-kubelet-');
  db = openDb(join(dir, 'gitjobs.db'));
  told = [];
  kubelet = new Kubelet({
    db,
    stateDir: join(dir, 'state'),
    clock: systemClock,
    logger: silentLogger,
    containerBackoffBaseMs: 50,
    context: () => ({ cwd: dir, env: { WORK: dir } }),
    onPodChange: (p) => told.push(p.status.phase),
  });
});

afterEach(() => {
  kubelet.shutdown(true);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => container(name, { command: ['sh', '-c', script], ...extra });

function run(o: Parameters<typeof barePod>[0] & { grace?: number }): Pod {
  const pod = barePod({ uid: `u-${Math.random().toString(36).slice(2)}`, ...o });
  if (o.grace !== undefined) pod.spec.terminationGracePeriodSeconds = o.grace;
  db.transaction(() => insertPod(db, pod, undefined, Date.now()))();
  kubelet.syncPod(pod.uid);
  return pod;
}

const ended = (uid: string): Promise<Pod> =>
  waitFor(`pod ${uid} ended`, () => {
    const p = getPod(db, uid);
    return p !== undefined && (p.status.phase === 'Succeeded' || p.status.phase === 'Failed') ? p : undefined;
  }, 15_000);

describe('the kubelet runs a pod as its row says', () => {
  it('init containers run one after the other, before the main container, and the pod Succeeds', async () => {
    const pod = run({
      initContainers: [sh('a', 'touch "$WORK/a"'), sh('b', 'test -f "$WORK/a" && touch "$WORK/b"')],
      containers: [sh('main', 'test -f "$WORK/b"')],
    });
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Succeeded');
    const runs = listContainerTerminations(db, pod.uid).sort((x, y) => x.finishedAt - y.finishedAt);
    expect(runs.map((t) => [t.container, t.exitCode])).toEqual([['a', 0], ['b', 0], ['main', 0]]);
    expect(told.at(-1)).toBe('Succeeded');
  });

  it('an init container that fails under Never fails the pod, and the main container never runs', async () => {
    const pod = run({ initContainers: [sh('setup', 'exit 3')], containers: [sh('main', 'touch "$WORK/ran"')] });
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Failed');
    expect(done.status.initContainerStatuses[0]?.state.terminated?.exitCode).toBe(3);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('under OnFailure a failing container restarts in place after its back-off, and the pod Succeeds once it does', async () => {
    const pod = run({ restartPolicy: 'OnFailure', containers: [sh('main', 'test -f "$WORK/again" || { touch "$WORK/again"; exit 1; }')] });
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Succeeded');
    expect(done.status.containerStatuses[0]?.restartCount).toBe(1);
    expect(listContainerTerminations(db, pod.uid).map((t) => t.exitCode)).toEqual([1, 0]);
  });

  it('a sidecar is started before the main container and stopped once it is done; the main container decides the phase', async () => {
    const pod = run({ grace: 1, initContainers: [sh('proxy', 'touch "$WORK/proxy"; exec sleep 30', { restartPolicy: 'Always' })], containers: [sh('main', 'sleep 0.2; test -f "$WORK/proxy"')] });
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Succeeded');
    expect(done.status.initContainerStatuses[0]?.state.terminated?.exitCode).toBe(143);
  });

  it('a pod deleted while it runs gets SIGTERM and ends as Failed', async () => {
    const pod = run({ grace: 5, containers: [sh('main', 'exec sleep 30')] });
    await waitFor('running', () => getPod(db, pod.uid)?.status.phase === 'Running');
    db.transaction(() => requestPodDeletion(db, pod.uid, Date.now(), 5))();
    kubelet.syncPod(pod.uid);
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Failed');
    expect(done.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(143);
  });

  it('a container whose executable is missing ends with StartError and the pod fails', async () => {
    const pod = run({ containers: [container('main', { command: ['no-such-program-here'] })] });
    const done = await ended(pod.uid);
    expect(done.status.phase).toBe('Failed');
    expect(done.status.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
  });
});
