// Which active pods go first when there are too many: Kubernetes' ranking,
// which spares the pods that have made the most progress.
import { isPodReady } from '../api/pods.js';
import type { Job, Pod } from '../api/types.js';
import { isIndexed, validIndex } from './pod-facts.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Running: 2 };

function readySince(pod: Pod): number {
  const cond = pod.status.conditions.find((c) => c.type === 'Ready' && c.status === 'True');
  return cond?.lastTransitionTime ?? pod.status.startTime ?? pod.creationTimestamp;
}

function maxRestarts(pod: Pod): number {
  let n = 0;
  for (const c of pod.status.containerStatuses) n = Math.max(n, c.restartCount);
  return n;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForRemoval(a: Pod, b: Pod): number {
  const phase = (PHASE_RANK[a.status.phase] ?? 1) - (PHASE_RANK[b.status.phase] ?? 1);
  if (phase !== 0) return phase;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  if (ra && rb) {
    const since = readySince(b) - readySince(a);
    if (since !== 0) return since;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  const age = b.creationTimestamp - a.creationTimestamp;
  if (age !== 0) return age;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * At least `rmAtLeast` active pods to delete. For Indexed Jobs every pod
 * without a usable index and all but the best pod of a duplicated index go
 * first, even when that is more than asked for.
 */
export function activePodsForRemoval(job: Job, active: readonly Pod[], rmAtLeast: number): Pod[] {
  const rm: Pod[] = [];
  let left: Pod[] = [...active];
  if (isIndexed(job)) {
    left = [];
    const byIndex = new Map<number, Pod[]>();
    for (const pod of active) {
      const ix = validIndex(pod, job);
      if (ix === undefined) {
        rm.push(pod);
        continue;
      }
      const group = byIndex.get(ix);
      if (group === undefined) byIndex.set(ix, [pod]);
      else group.push(pod);
    }
    for (const ix of [...byIndex.keys()].sort((x, y) => x - y)) {
      const group = (byIndex.get(ix) as Pod[]).sort(compareForRemoval);
      rm.push(...group.slice(0, -1));
      left.push(group[group.length - 1] as Pod);
    }
    rm.sort(compareForRemoval);
  }
  if (rm.length < rmAtLeast) {
    left.sort(compareForRemoval);
    rm.push(...left.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}
