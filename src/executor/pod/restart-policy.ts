import type { Pod } from '../../api/types.js';
import { formatDuration } from '../../util/duration.js';
import { roleOf } from './status.js';

// What follows a container's end, as the kubelet decides it: pure, so the
// table in test/executor/pod/restart-policy.test.ts can state it.

export interface ContainerExit {
  pod: Pod;
  name: string;
  exitCode: number;
  /** The pod is being deleted or must end (deadline, failed init container). */
  winding: boolean;
  /** Every main container has ended and none will run again (after this exit). */
  mainDone: boolean;
  /** The container's restarts so far. */
  restarts: number;
  /** The restart back-off base (the kubelet's 10 s). */
  backoffBaseMs: number;
}

export type ExitOutcome =
  | { restart: true; delayMs: number; message: string }
  /** `failPod`: an init container failed under restartPolicy Never, which ends the pod. */
  | { restart: false; failPod: boolean };

/**
 * A restart in place (OnFailure for init and main containers, always for a
 * sidecar while the main containers run), or, for an init container that
 * failed under Never, the end of the pod.
 */
export function exitOutcome(e: ContainerExit): ExitOutcome {
  const role = roleOf(e.pod, e.name);
  let restart = false;
  let failPod = false;
  if (role === 'sidecar') restart = !e.winding && !e.mainDone;
  else if (e.exitCode !== 0 && !e.winding) {
    restart = e.pod.spec.restartPolicy === 'OnFailure';
    failPod = !restart && role === 'init';
  }
  if (!restart) return { restart: false, failPod };
  // 0 before the first restart, then base, 2·base … capped at 30·base (the kubelet's 10 s … 5 min).
  const delayMs = e.restarts === 0 ? 0 : Math.min(e.backoffBaseMs * 2 ** (e.restarts - 1), e.backoffBaseMs * 30);
  const { pod } = e;
  return { restart: true, delayMs, message: `back-off ${formatDuration(delayMs)} restarting failed container=${e.name} pod=${pod.name}_${pod.namespace}(${pod.uid})` };
}
