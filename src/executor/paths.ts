import { join } from 'node:path';

// Layout under the state folder. Logs follow the kubelet's
// `<namespace>_<pod>_<uid>/<container>/<restart>.log` so they are easy to find by
// hand, and they stay after the pod and its Job are gone.

/** One folder per container run, directly in the pod's folder (container names have no dots). */
export function podRunDir(stateDir: string, podUid: string, container: string, attempt: number): string {
  return join(stateDir, 'pods', podUid, `${container}.${attempt}`);
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
