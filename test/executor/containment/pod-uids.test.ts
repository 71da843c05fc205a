import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PodIdentity } from '../../../src/executor/containment/identity.js';
import { runRecords } from '../../../src/executor/logs/paths.js';
import { PodUids } from '../../../src/executor/containment/pod-uids.js';
import { tempDir } from '../../helpers/e2e.js';

const nobody: PodIdentity = { uid: 65534, gid: 65534, name: 'nobody', home: '/nonexistent' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const never = (): void => {
  throw new Error('no uid should run out');
};

describe('a uid per pod', () => {
  it('without a range every pod is the pod user', () => {
    const uids = new PodUids(nobody, undefined, '/nonexistent');
    expect(uids.identityOf('a', never)).toEqual(nobody);
    expect(uids.uidOf('a')).toBeUndefined();
  });

  it('each pod gets the lowest free uid, keeps it, and frees it when it ends', () => {
    const uids = new PodUids(nobody, { first: 1000, last: 1002 }, '/nonexistent');
    expect(uids.identityOf('a', never)).toEqual({ ...nobody, uid: 1000, name: '1000' });
    expect(uids.identityOf('b', never)?.uid).toBe(1001);
    expect(uids.identityOf('a', never)?.uid).toBe(1000);
    uids.release('a');
    expect(uids.identityOf('c', never)?.uid).toBe(1000);
  });

  it('a range used up leaves the next pod with the pod user, and says so', () => {
    const uids = new PodUids(nobody, { first: 1000, last: 1000 }, '/nonexistent');
    uids.identityOf('a', never);
    const said: string[] = [];
    expect(uids.identityOf('b', (m) => said.push(m))).toEqual(nobody);
    expect(said).toEqual(['every uid of --pod-uid-range 1000-1000 is in use; the pod runs as nobody']);
  });

  const running = { namespace: 'default', name: 'p-abc', uid: 'old' };

  it('a pod running from before a restart keeps the uid its supervisor record names', () => {
    const state = tempDir('gitjobs-uids-');
    dirs.push(state);
    const rec = runRecords(state, running.namespace, running.name, running.uid, 'c', 1);
    mkdirSync(dirname(rec), { recursive: true });
    writeFileSync(`${rec}run`, 'supervisor 4242 123 1000\n');
    writeFileSync(`${rec}log`, '');
    const uids = new PodUids(nobody, { first: 1000, last: 1005 }, state);
    uids.reserve(running);
    expect(uids.uidOf('old')).toBe(1000);
    expect(uids.identityOf('new', never)?.uid).toBe(1001);
  });

  it('so does one an older daemon started with a file per record beside its log', () => {
    const state = tempDir('gitjobs-uids-');
    dirs.push(state);
    const rec = runRecords(state, running.namespace, running.name, running.uid, 'c', 0);
    mkdirSync(dirname(rec), { recursive: true });
    writeFileSync(`${rec}supervisor`, '4242 123 1002\n');
    const uids = new PodUids(nobody, { first: 1000, last: 1005 }, state);
    uids.reserve(running);
    expect(uids.uidOf('old')).toBe(1002);
  });

  it('so does one an older daemon started, whose records are in the pod folder', () => {
    const state = tempDir('gitjobs-uids-');
    dirs.push(state);
    const run = join(state, 'pods', 'old', 'c.0');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'supervisor'), '4242 123 1003\n');
    const uids = new PodUids(nobody, { first: 1000, last: 1005 }, state);
    uids.reserve(running);
    expect(uids.uidOf('old')).toBe(1003);
  });
});
