import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Layout under the state folder. Logs follow the kubelet's
// `<namespace>_<pod>_<uid>/<container>/<restart>.log` so they are easy to find by
// hand, and they stay after the pod and its Job are gone.

/**
 * Where a container run's records go (runtime/run-records.ts): a path prefix, beside
 * the run's log in the container's log folder (`<restart>.run`, and
 * `<restart>.joined` when the spawner moves the supervisor). A folder of their
 * own cost two more directory creations per pod, the largest part of a pod
 * start on a busy disk.
 */
export function runRecords(stateDir: string, namespace: string, podName: string, podUid: string, container: string, attempt: number): string {
  return `${containerLogDir(stateDir, namespace, podName, podUid, container)}/${attempt}.`;
}

/** Records of a run started before they moved beside the log: one folder per run in the pod's folder. */
function legacyRunRecords(stateDir: string, podUid: string, container: string, attempt: number): string {
  return `${join(stateDir, 'pods', podUid, `${container}.${attempt}`)}/`;
}

/** The records of a run that may have been started by an older daemon, which kept them in the pod's folder. */
export function existingRunRecords(stateDir: string, pod: { namespace: string; name: string; uid: string }, container: string, attempt: number): string {
  const legacy = legacyRunRecords(stateDir, pod.uid, container, attempt);
  return existsSync(legacy) ? legacy : runRecords(stateDir, pod.namespace, pod.name, pod.uid, container, attempt);
}

export function podDir(stateDir: string, podUid: string): string {
  return join(stateDir, 'pods', podUid);
}

export function containerLogDir(stateDir: string, namespace: string, podName: string, podUid: string, container: string): string {
  return join(stateDir, 'logs', `${namespace}_${podName}_${podUid}`, container);
}

export function containerLogPath(
  stateDir: string,
  namespace: string,
  podName: string,
  podUid: string,
  container: string,
  attempt: number,
): string {
  return join(containerLogDir(stateDir, namespace, podName, podUid, container), `${attempt}.log`);
}
