import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/api/types.js';
import { createPodVolumes, removePodVolumes, volumeEnvName, volumeMountEnv } from '../../../src/executor/config/volumes.js';

describe('emptyDir volumes', () => {
  const names: Record<string, string> = {
    'a plain name': ['data', 'GITJOBS_VOLUME_DATA'].join('\0'),
    'dashes become underscores': ['scratch-space', 'GITJOBS_VOLUME_SCRATCH_SPACE'].join('\0'),
    'digits stay': ['cache2', 'GITJOBS_VOLUME_CACHE2'].join('\0'),
  };
  for (const [name, pair] of Object.entries(names)) {
    const [volume, env] = pair.split('\0');
    it(`the variable naming a volume: ${name}`, () => expect(volumeEnvName(volume!)).toBe(env));
  }

  let state: string | undefined;
  afterEach(() => {
    if (state) rmSync(state, { recursive: true, force: true });
    state = undefined;
  });

  it('each pod gets its own folder, subPath inside it, and the folder goes with the pod', () => {
    state = mkdtempSync(join(tmpdir(), 'gitjobs-volumes-'));
    const pod = (uid: string): Pod =>
      ({
        uid,
        spec: {
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [{ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/logs', subPath: 'logs' }] }],
        },
      }) as unknown as Pod;
    const a = pod('a');
    const b = pod('b');
    createPodVolumes(state, a);
    createPodVolumes(state, b);
    const envA = volumeMountEnv(state, a, a.spec.containers[0]!);
    const envB = volumeMountEnv(state, b, b.spec.containers[0]!);
    // Two mounts of one volume name the same folder; the subPath is made inside it.
    expect(envA.GITJOBS_VOLUME_DATA).toBe(join(state, 'pods', 'a', 'volumes', 'data'));
    expect(existsSync(join(envA.GITJOBS_VOLUME_DATA!, 'logs'))).toBe(true);
    expect(envA.GITJOBS_VOLUME_DATA).not.toBe(envB.GITJOBS_VOLUME_DATA);
    writeFileSync(join(state, 'pods', 'a', 'volumes', 'data', 'file'), 'x');
    removePodVolumes(state, 'a');
    expect(existsSync(join(state, 'pods', 'a', 'volumes'))).toBe(false);
    expect(existsSync(join(state, 'pods', 'b', 'volumes', 'data'))).toBe(true);
  });
});
