import { JOB_COMPLETION_INDEX, type Pod } from './types.js';

export function isPodTerminal(pod: Pod): boolean {
  return isTerminalPhase(pod.status.phase);
}

/** Succeeded or Failed: the phases a pod never leaves. */
export function isTerminalPhase(phase: Pod['status']['phase']): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Pending or Running and not being deleted: what `status.active` counts. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && pod.deletionTimestamp === undefined;
}

/** Being deleted but still running: what `status.terminating` counts. */
export function isPodTerminating(pod: Pod): boolean {
  return !isPodTerminal(pod) && pod.deletionTimestamp !== undefined;
}

/**
 * A deleted pod whose processes have ended and whose outcome is settled: the API
 * server would have removed it. Its row is kept for history but no controller or
 * listing sees it.
 */
export function isPodGone(pod: Pod): boolean {
  return pod.deletionTimestamp !== undefined && isPodTerminal(pod) && !pod.trackingFinalizer;
}

/** The completion index of a pod of an Indexed Job, or undefined if absent or malformed. */
export function podCompletionIndex(pod: Pod): number | undefined {
  const raw = pod.annotations[JOB_COMPLETION_INDEX] ?? pod.labels[JOB_COMPLETION_INDEX];
  if (raw === undefined || !/^(0|[1-9][0-9]*)$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Running with every container ready (no probes: a started container is ready). */
export function isPodReady(pod: Pod): boolean {
  return (
    pod.status.phase === 'Running' &&
    pod.status.containerStatuses.length > 0 &&
    pod.status.containerStatuses.every((c) => c.ready)
  );
}
