import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../api/types.js';
import { volumeEnvName } from '../manifest/validate-pod.js';
import { podDir } from './paths.js';

export { volumeEnvName };

// emptyDir volumes: a fresh folder per pod under the state folder. A host
// process cannot have a folder mounted at mountPath, so each mount's folder is
// handed to the container in an environment variable instead.

export function podVolumeDir(stateDir: string, podUid: string, volume: string): string {
  return join(podDir(stateDir, podUid), 'volumes', volume);
}


/** Creates the pod's volume folders; called before its first container starts. */
export function createPodVolumes(stateDir: string, pod: Pod): void {
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir !== undefined) mkdirSync(podVolumeDir(stateDir, pod.uid, v.name), { recursive: true });
  }
}

/**
 * The variables that tell a container where its volumes are. Each names the
 * volume's folder itself, so two mounts of one volume agree; a subPath is
 * created inside it, where the process finds it as `$GITJOBS_VOLUME_<NAME>/<subPath>`.
 */
export function volumeMountEnv(stateDir: string, pod: Pod, c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const dir = podVolumeDir(stateDir, pod.uid, m.name);
    if (m.subPath !== undefined && m.subPath !== '') mkdirSync(join(dir, m.subPath), { recursive: true });
    env[volumeEnvName(m.name)] = dir;
  }
  return env;
}

/** An emptyDir lives as long as its pod: removed once the pod has ended. */
export function removePodVolumes(stateDir: string, podUid: string): void {
  rmSync(join(podDir(stateDir, podUid), 'volumes'), { recursive: true, force: true });
}
