import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/api/types.js';
import { JobPodCache } from '../../src/controller/pod-cache.js';
import { adoptPod, releasePod } from '../../src/store/claims.js';
import { openDb, type Db } from '../../src/store/db.js';
import { insertPod, listPodsForSync, markPodGone, putPodStatus, removeFinalizer, requestPodDeletion, settlePod } from '../../src/store/pods.js';
import { tempDir } from '../helpers/e2e.js';

// The Job controller's pod cache against the store it caches, on a real
// SQLite file: whatever is written, by whichever writer, a pass must read
// exactly what listing the Job's pods afresh would give, in the same order.

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-pod-cache-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = (phase: PodStatus['phase']): PodStatus => ({ phase, conditions: [], containerStatuses: [], initContainerStatuses: [] });

function pod(uid: string, job: string | undefined, created: number): Pod {
  return {
    uid,
    namespace: 'default',
    name: `pod-${uid}`,
    labels: { 'job-name': job ?? 'none' },
    annotations: {},
    ...(job === undefined ? {} : { owner: { uid: job, name: job } }),
    creationTimestamp: created,
    trackingFinalizer: true,
    spec: { containers: [], initContainers: [], restartPolicy: 'Never', terminationGracePeriodSeconds: 30 },
    status: status('Pending'),
  };
}

/** A small seeded generator, so a failing sequence can be replayed. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const tx = (fn: () => void): void => db.transaction(fn)();
const view = (pods: Pod[]): unknown[] => pods.map((p) => ({ uid: p.uid, phase: p.status.phase, deleting: p.deletionTimestamp !== undefined, finalizer: p.trackingFinalizer }));

describe('the Job pod cache', () => {
  it('reads what listing afresh reads, in its order, through every kind of write', () => {
    const jobs = ['a', 'b', 'c'];
    const recent = 4;
    for (const seed of [1, 7, 42, 2024]) {
      const cache = new JobPodCache(db, recent);
      const rnd = prng(seed);
      const uids: string[] = [];
      const settled = new Set<string>();
      let clock = 0;
      for (let step = 0; step < 400; step++) {
        const uid = uids[rnd(Math.max(1, uids.length))];
        const job = jobs[rnd(jobs.length)]!;
        switch (rnd(9)) {
          case 0:
          case 1: {
            // Several pods in one transaction, some in the same millisecond (ties broken by insertion).
            const t = clock++;
            tx(() => {
              for (let k = 0; k <= rnd(3); k++) {
                const u = `${seed}-${uids.length}`;
                uids.push(u);
                insertPod(db, pod(u, rnd(5) === 0 ? undefined : job, t), undefined, t);
              }
            });
            break;
          }
          case 2:
            if (uid) tx(() => putPodStatus(db, uid, status(['Running', 'Succeeded', 'Failed'][rnd(3)] as PodStatus['phase']), clock++));
            break;
          case 3:
            // Settled as the controller settles a counted pod, once, finish times colliding now and then.
            if (uid && !settled.has(uid)) {
              settled.add(uid);
              tx(() => {
                removeFinalizer(db, uid);
                settlePod(db, uid, 1000 + rnd(40));
              });
            }
            break;
          case 4:
            if (uid) tx(() => requestPodDeletion(db, uid, clock++, 30));
            break;
          case 5:
            if (uid && rnd(3) === 0) tx(() => markPodGone(db, uid));
            break;
          case 6:
            // Adoption and release change owners: the controller tells the cache, as claim() does.
            if (uid) {
              const from = jobs.find((j) => listPodsForSync(db, j, 1_000_000).some((p) => p.uid === uid));
              tx(() => (from === undefined ? adoptPod(db, uid, { uid: job, name: job }) : releasePod(db, uid, from)));
              for (const j of jobs) cache.forget(j);
            }
            break;
          case 7:
            cache.release(job);
            break;
          default:
            break;
        }
        for (const j of jobs) expect(view(cache.pods(j)), `seed ${seed}, step ${step}, job ${j}`).toEqual(view(listPodsForSync(db, j, recent)));
      }
    }
  });

  it('a Job whose pods all settled is let go, and listed afresh when asked for again', () => {
    const cache = new JobPodCache(db);
    tx(() => insertPod(db, pod('p1', 'a', 1), undefined, 1));
    expect(cache.pods('a').map((p) => p.uid)).toEqual(['p1']);
    cache.release('a');
    expect(cache.size).toBe(1);
    tx(() => settlePod(db, 'p1', 5));
    cache.pods('a');
    cache.release('a');
    expect(cache.size).toBe(0);
    expect(cache.pods('a').map((p) => p.uid)).toEqual(['p1']);
  });

  it('after the change log moved past what it kept, it lists afresh rather than miss a change', () => {
    const cache = new JobPodCache(db);
    tx(() => {
      insertPod(db, pod('p1', 'a', 1), undefined, 1);
      insertPod(db, pod('busy', 'other', 1), undefined, 1);
    });
    expect(view(cache.pods('a'))).toEqual([{ uid: 'p1', phase: 'Pending', deleting: false, finalizer: true }]);
    tx(() => {
      putPodStatus(db, 'p1', status('Running'), 2);
      // Far more changes than the log keeps, all of another Job's pod.
      for (let i = 0; i < 50_010; i++) putPodStatus(db, 'busy', status(i % 2 === 0 ? 'Running' : 'Pending'), 3 + i);
    });
    expect(view(cache.pods('a'))).toEqual([{ uid: 'p1', phase: 'Running', deleting: false, finalizer: true }]);
  });
});
