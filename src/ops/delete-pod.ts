import { isPodTerminal } from '../api/pods.js';
import { getPodByName, markPodGone, requestPodDeletion } from '../store/pods.js';
import type { ControlHandler } from './control.js';

/** What the eviction API writes on a pod it stops; `onPodConditions` rules match on it. */
export const DISRUPTION_REASON = 'EvictionByEvictionAPI';
export const DISRUPTION_MESSAGE = 'Eviction API: evicting';

/**
 * `gitjobs delete pod`: a graceful deletion, as the API server does it. The
 * kubelet stops the processes; the owning Job's controller then accounts for
 * the pod and, like Kubernetes, creates a replacement. A pod its Job still
 * tracks is stopped on purpose while it is wanted, as an eviction stops it:
 * it gets the DisruptionTarget condition, so a pod failure policy can ignore it.
 */
export const deletePods: ControlHandler = (req, ctx) => {
  const namespace = typeof req.namespace === 'string' ? req.namespace : 'default';
  const names = Array.isArray(req.names) ? req.names.filter((n): n is string => typeof n === 'string') : [];
  const grace = typeof req.gracePeriod === 'number' && req.gracePeriod >= 0 ? req.gracePeriod : undefined;
  const now = ctx.clock.now();
  const deleted: { name: string; uid: string }[] = [];
  const notFound: string[] = [];
  for (const name of names) {
    const pod = getPodByName(ctx.db, namespace, name);
    if (pod === undefined) {
      notFound.push(name);
      continue;
    }
    if (pod.owner !== undefined && pod.trackingFinalizer && !isPodTerminal(pod) && pod.deletionTimestamp === undefined) {
      ctx.kubelet.disrupt(pod.uid, DISRUPTION_REASON, DISRUPTION_MESSAGE);
    }
    ctx.db.transaction(() => {
      requestPodDeletion(ctx.db, pod.uid, now, grace ?? pod.spec.terminationGracePeriodSeconds);
      // Nothing else would ever finish removing an ended pod that no Job accounts for.
      if (isPodTerminal(pod) && (pod.owner === undefined || !pod.trackingFinalizer)) markPodGone(ctx.db, pod.uid);
    })();
    ctx.kubelet.syncPod(pod.uid);
    if (pod.owner !== undefined) ctx.controller.enqueue(pod.owner.uid);
    ctx.logger.info('pod deleted by request', { pod: `${pod.namespace}/${pod.name}` });
    deleted.push({ name: pod.name, uid: pod.uid });
  }
  return { deleted, notFound };
};
