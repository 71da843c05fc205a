// Which pods a Job controls: its own pods that still match its selector, plus
// orphans that match it (adopted). Its own pods that no longer match are let
// go. A pod controlled by another Job is never taken.
import { JOB_CONTROLLER_NAME, type Job, type Pod } from '../api/types.js';
import { selectorIsEmpty, selectorMatches } from '../manifest/selector.js';

export interface Claim {
  adopt: string[];
  release: string[];
}

const NOTHING: Claim = { adopt: [], release: [] };

/**
 * `ClaimPods`. `owned` are the pods whose owner is this Job, `orphans` the
 * pods of its namespace without an owner. A finished Job adopts nothing: it
 * would only stop what it took.
 */
export function claimPods(job: Job, finished: boolean, owned: readonly Pod[], orphans: readonly Pod[]): Claim {
  const selector = job.spec.selector;
  if (selector === undefined || selectorIsEmpty(selector)) return NOTHING;
  if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return NOTHING;
  const deleting = job.deletionTimestamp !== undefined;
  const release = deleting ? [] : owned.filter((p) => !selectorMatches(selector, p.labels)).map((p) => p.uid);
  const adopt =
    deleting || finished
      ? []
      : orphans
          .filter((p) => p.owner === undefined && p.namespace === job.namespace && p.deletionTimestamp === undefined)
          .filter((p) => selectorMatches(selector, p.labels))
          .map((p) => p.uid);
  return { adopt, release };
}
