// manageJob: bring the number of running pods to what the Job wants, by
// deleting or by creating, never both in one pass.
import { isPodReady, isPodTerminating, podCompletionIndex } from '../api/pods.js';
import type { Job, Millis, Pod } from '../api/types.js';
import { backoffRequeueMs, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import { firstFreeIndexes, intervalsFromSorted, unionIntervals, type Intervals } from './intervals.js';
import { indexBackoffRemainingMs, replacementAnnotations } from './per-index.js';
import { isIndexed, onlyReplaceFailedPods } from './pod-facts.js';
import type { PodCreate, PodDelete, ReconcileOptions } from './plan.js';
import { activePodsForRemoval } from './removal.js';

export interface ManageInput {
  job: Job;
  pods: readonly Pod[];
  activePods: readonly Pod[];
  terminating: number;
  /** Indexed: the number of succeeded indexes. */
  succeeded: number;
  succeededIndexes: Intervals;
  /** Only with backoffLimitPerIndex. */
  failedIndexes?: Intervals;
  delayedPerIndex: ReadonlyMap<number, Pod>;
  backoff: BackoffRecord;
  options: ReconcileOptions;
  now: Millis;
}

export interface ManageResult {
  create: PodCreate[];
  delete: PodDelete[];
  /** Counters after the actions, as the status should show them. */
  active: number;
  ready: number;
  terminating: number;
  requeueAfterMs?: number;
}

function deleting(input: ManageInput, pods: readonly Pod[], reason: PodDelete['reason']): ManageResult {
  const readyGone = pods.filter(isPodReady).length;
  const ready = input.activePods.filter(isPodReady).length;
  return {
    create: [],
    // Dropping the finalizer first: a pod removed on purpose is not a failure.
    delete: pods.map((p) => ({ uid: p.uid, removeFinalizer: true, reason })),
    active: input.activePods.length - pods.length,
    ready: ready - readyGone,
    terminating: input.terminating + pods.length,
  };
}

function sortedIndexesOf(pods: readonly Pod[]): number[] {
  const out: number[] = [];
  for (const p of pods) {
    const ix = podCompletionIndex(p);
    if (ix !== undefined) out.push(ix);
  }
  return out.sort((a, b) => a - b);
}

export function manageJob(input: ManageInput): ManageResult {
  const { job, activePods, options, now } = input;
  const active = activePods.length;
  const ready = activePods.filter(isPodReady).length;
  const unchanged: ManageResult = { create: [], delete: [], active, ready, terminating: input.terminating };

  if (job.spec.suspend) return deleting(input, activePods, 'Suspended');

  const { parallelism, completions } = job.spec;
  let wantActive: number;
  if (completions === undefined) {
    // A work queue is drained once any pod succeeded: let the rest finish, start no more.
    wantActive = input.succeeded > 0 ? active : parallelism;
  } else {
    wantActive = Math.max(0, Math.min(completions - input.succeeded, parallelism));
  }

  const rmAtLeast = Math.max(active - wantActive, 0);
  const toDelete = activePodsForRemoval(job, activePods, rmAtLeast).slice(0, options.maxPodCreateDeletePerSync);
  if (toDelete.length > 0) return deleting(input, toDelete, 'Excess');

  // With podReplacementPolicy Failed a pod still shutting down holds its slot.
  const holding = onlyReplaceFailedPods(job) ? input.terminating : 0;
  let diff = wantActive - holding - active;
  if (diff <= 0) return unchanged;

  const perIndex = job.spec.backoffLimitPerIndex !== undefined;
  if (!perIndex) {
    const remaining = remainingBackoffMs(input.backoff, options, now);
    if (remaining > 0) return { ...unchanged, requeueAfterMs: backoffRequeueMs(remaining, options) };
  }
  diff = Math.min(diff, options.maxPodCreateDeletePerSync);

  if (!isIndexed(job)) {
    const create: PodCreate[] = Array.from({ length: diff }, () => ({}));
    return { ...unchanged, create, active: active + diff };
  }

  let taken = unionIntervals(input.succeededIndexes, intervalsFromSorted(sortedIndexesOf(activePods)));
  if (onlyReplaceFailedPods(job)) {
    taken = unionIntervals(taken, intervalsFromSorted(sortedIndexesOf(input.pods.filter(isPodTerminating))));
  }
  if (input.failedIndexes !== undefined) taken = unionIntervals(taken, input.failedIndexes);
  let indexes = firstFreeIndexes(taken, diff, completions ?? 0);

  let requeueAfterMs: number | undefined;
  if (perIndex) {
    const due: number[] = [];
    let minRemaining: number | undefined;
    for (const ix of indexes) {
      const remaining = indexBackoffRemainingMs(input.delayedPerIndex.get(ix), options, now);
      if (remaining === 0) due.push(ix);
      else if (minRemaining === undefined || remaining < minRemaining) minRemaining = remaining;
    }
    indexes = due;
    if (minRemaining !== undefined) requeueAfterMs = backoffRequeueMs(minRemaining, options);
  }

  const create: PodCreate[] = indexes.map((index) =>
    perIndex ? { index, annotations: replacementAnnotations(job, input.delayedPerIndex.get(index)) } : { index },
  );
  const result: ManageResult = { ...unchanged, create, active: active + create.length };
  if (requeueAfterMs !== undefined) result.requeueAfterMs = requeueAfterMs;
  return result;
}
