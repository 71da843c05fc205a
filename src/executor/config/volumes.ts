import { chownSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Container, Pod } from '../../api/types.js';
import { volumeEnvName } from '../../manifest/validate-pod.js';
import { podDir } from '../logs/paths.js';

export { volumeEnvName };

// emptyDir volumes: a fresh folder per pod under the state folder. A host
// process cannot have a folder mounted at mountPath, so each mount's folder is
// handed to the container in an environment variable instead.

export function podVolumeDir(stateDir: string, podUid: string, volume: string): string {
  return join(podDir(stateDir, podUid), 'volumes', volume);
}


/** The user a pod runs as, when it is not the daemon's: its volumes must be its own to write. */
export interface VolumeOwner {
  uid: number;
  gid: number;
}

/** Creates the pod's volume folders; called before its first container starts. */
export function createPodVolumes(stateDir: string, pod: Pod, owner?: VolumeOwner): void {
  for (const v of pod.spec.volumes ?? []) {
    if (v.emptyDir === undefined) continue;
    const dir = podVolumeDir(stateDir, pod.uid, v.name);
    mkdirSync(dir, { recursive: true });
    if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  }
}

/**
 * The variables that tell a container where its volumes are. Each names the
 * volume's folder itself, so two mounts of one volume agree; a subPath is
 * created inside it, where the process finds it as `$GITJOBS_VOLUME_<NAME>/<subPath>`.
 */
export function volumeMountEnv(stateDir: string, pod: Pod, c: Container, owner?: VolumeOwner): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const dir = podVolumeDir(stateDir, pod.uid, m.name);
    if (m.subPath !== undefined && m.subPath !== '') {
      // Each folder the subPath creates belongs to the pod's user, as the volume does.
      const made = mkdirSync(join(dir, m.subPath), { recursive: true });
      if (owner !== undefined && made !== undefined) chownTree(dir, made, join(dir, m.subPath), owner);
    }
    env[volumeEnvName(m.name)] = dir;
  }
  return env;
}

function chownTree(volume: string, first: string, last: string, owner: VolumeOwner): void {
  // mkdir returned the first folder it created; every folder from there down to last is new.
  for (let p = last; p.length >= first.length && p.startsWith(volume); p = dirname(p)) {
    chownSync(p, owner.uid, owner.gid);
    if (p === first) break;
  }
}

/** An emptyDir lives as long as its pod: removed once the pod has ended. */
export function removePodVolumes(stateDir: string, podUid: string): void {
  rmSync(join(podDir(stateDir, podUid), 'volumes'), { recursive: true, force: true });
}
