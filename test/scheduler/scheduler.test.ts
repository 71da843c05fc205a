import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, Pod } from '../../src/api/types.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { openDb, type Db } from '../../src/store/db.js';
import { listEventsFor } from '../../src/store/events.js';
import { insertJob } from '../../src/store/jobs.js';
import { getPod, insertPod, putPodStatus } from '../../src/store/pods.js';
import { silentLogger } from '../../src/util/logger.js';
import { at, job, pod } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

// The scheduler's impure half against a real store: what `get pods` and
// `describe pod` then show, and which pods the kubelet is told to start.

let dir: string;
let db: Db;
let now = at(10);
let woken: string[] = [];
beforeEach(() => {
  dir = tempDir('gitjobs-scheduler-');
  db = openDb(join(dir, 'gitjobs.db'));
  woken = [];
});
afterEach(async () => {
  // A pass deferred by a release runs before the store goes.
  await new Promise((r) => setImmediate(r));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function scheduler(cpu = 2): Scheduler {
  return new Scheduler({
    db,
    clock: { now: () => now },
    logger: silentLogger,
    stateDir: dir,
    node: { milliCpu: cpu * 1000, memory: 2 ** 34, pods: 110 },
    wake: (uid) => woken.push(uid),
  });
}

function cpuJob(name: string, cpu: string): Job {
  const j = job({ name, spec: { template: { spec: { containers: [{ name: 'c', command: ['true'], args: [], env: [], resources: { requests: { cpu } } }] } } } });
  insertJob(db, j);
  return j;
}

/** A new pod as the controller writes it: Pending, no conditions, containers waiting. */
function newPod(j: Job, name: string, second: number): Pod {
  const p = pod({ job: j, uid: name, name, phase: 'Pending', creationTimestamp: at(second) });
  delete p.status.startTime;
  insertPod(db, p, undefined, at(second));
  return getPod(db, name)!;
}

/** What the kubelet does with an admitted pod: it reports PodScheduled=True and runs it. */
function started(p: Pod): void {
  putPodStatus(db, p.uid, { ...p.status, phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now }] }, now);
}

const failedScheduling = (uid: string) => listEventsFor(db, { kind: 'Pod', namespace: 'default', name: uid, uid }).filter((e) => e.reason === 'FailedScheduling');
const nextTick = () => new Promise((r) => setImmediate(r));

describe('admission against the node', () => {
  it('pods beyond the CPU wait Pending with PodScheduled=False, reason Unschedulable and the scheduler message; one FailedScheduling event however often asked', () => {
    const s = scheduler();
    const j = cpuJob('a', '1');
    const [a1, a2, a3] = [newPod(j, 'a1', 1), newPod(j, 'a2', 2), newPod(j, 'a3', 3)];
    expect(s.admit(a1)).toBeDefined();
    expect(s.admit(a2)).toBeDefined();
    expect(s.admit(a3)).toBeUndefined();
    expect(s.admit(getPod(db, 'a3')!)).toBeUndefined();
    const status = getPod(db, 'a3')!.status;
    expect(status.phase).toBe('Pending');
    expect(status.containerStatuses).toEqual([]);
    expect(status.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..',
        lastTransitionTime: now,
      },
    ]);
    const events = failedScheduling('a3');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Warning', source: 'default-scheduler', count: 1 });
  });

  it('a pod that ends hands its capacity to the waiting pod, which then starts with a fresh status', async () => {
    const s = scheduler();
    const j = cpuJob('a', '1');
    const [a1, a2, a3] = [newPod(j, 'a1', 1), newPod(j, 'a2', 2), newPod(j, 'a3', 3)];
    s.admit(a1);
    s.admit(a2);
    s.admit(a3);
    s.release('a1');
    expect(woken).toEqual([]); // never from inside the kubelet's own call
    await nextTick();
    await nextTick();
    expect(woken).toEqual(['a3']);
    const bound = s.admit(getPod(db, 'a3')!);
    expect(bound?.status.conditions).toEqual([]);
    expect(s.counts()).toEqual({ admitted: 2, waiting: 0 });
  });

  it('freed capacity goes to the Job holding fewer pods, not to the older waiting pod', async () => {
    const s = scheduler();
    const a = cpuJob('a', '1');
    const b = cpuJob('b', '1');
    const pods = [newPod(a, 'a1', 1), newPod(a, 'a2', 2), newPod(a, 'a3', 3), newPod(b, 'b1', 4), newPod(b, 'b2', 5)];
    for (const p of pods) s.admit(p);
    s.release('a1');
    await nextTick();
    await nextTick();
    expect(woken).toEqual(['b1']);
    s.release('a2');
    await nextTick();
    await nextTick();
    expect(woken).toEqual(['b1', 'a3']);
  });

  it('a newcomer does not take capacity freed for the pods already waiting', () => {
    const s = scheduler();
    const j = cpuJob('a', '1');
    const [a1, a2, a3] = [newPod(j, 'a1', 1), newPod(j, 'a2', 2), newPod(j, 'a3', 3)];
    s.admit(a1);
    s.admit(a2);
    s.admit(a3);
    s.release('a1');
    // Before the deferred pass runs, a new pod of the same Job asks: the older one goes first.
    expect(s.admit(newPod(j, 'a4', 4))).toBeUndefined();
    expect(s.counts()).toEqual({ admitted: 2, waiting: 1 });
  });

  it('a pod larger than the node waits with "Preemption is not helpful" and blocks nobody', () => {
    const s = scheduler();
    const big = cpuJob('big', '3');
    const small = cpuJob('small', '1');
    expect(s.admit(newPod(big, 'huge', 1))).toBeUndefined();
    expect(s.admit(newPod(small, 's1', 2))).toBeDefined();
    expect(getPod(db, 'huge')!.status.conditions[0]?.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..',
    );
  });

  it('a waiting pod that is deleted leaves the queue and its status alone', async () => {
    const s = scheduler(1);
    const j = cpuJob('a', '1');
    s.admit(newPod(j, 'a1', 1));
    s.admit(newPod(j, 'a2', 2));
    s.release('a2');
    expect(s.counts()).toEqual({ admitted: 1, waiting: 0 });
    await nextTick();
    expect(woken).toEqual([]);
  });

  it('after a restart, running pods hold their capacity once and waiting pods keep their place without a second event', () => {
    const first = scheduler();
    const j = cpuJob('a', '1');
    const pods = [newPod(j, 'a1', 1), newPod(j, 'a2', 2), newPod(j, 'a3', 3)];
    for (const p of pods) {
      const b = first.admit(p);
      if (b !== undefined) started(b);
    }
    const again = scheduler();
    expect(again.counts()).toEqual({ admitted: 2, waiting: 1 });
    expect(again.admit(getPod(db, 'a3')!)).toBeUndefined();
    expect(failedScheduling('a3')).toHaveLength(1);
  });
});
