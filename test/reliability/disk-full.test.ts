// A full disk under the state folder, on a real (small) tmpfs: writes fail
// with SQLITE_FULL/ENOSPC, the daemon says so and keeps running, nothing is
// spawned without its committed row, and work resumes once space returns.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, podAlive, podsOf, shJob, withDb } from './harness.js';
import { listPods } from '../../src/store/pods.js';
import { readdirSync } from 'node:fs';

let dir = '';
let mounted = false;
beforeAll(() => {
  dir = tempDir('gitjobs-full-');
  mkdirSync(join(dir, 'state'));
  // Needs CAP_SYS_ADMIN (CI runs as root); elsewhere the test says why it is skipped.
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', join(dir, 'state')]).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync('umount', ['-l', join(dir, 'state')]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the filesystem to the last byte. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  const small = openSync(`${path}.tail`, 'w');
  try {
    for (;;) writeSync(small, Buffer.alloc(512, 1));
  } catch {
    // full to the last block
  } finally {
    closeSync(small);
  }
}

describe('disk full under the state folder (24)', () => {
  it('writes fail and are reported, the daemon keeps running, no pod runs without its row, and it recovers when space returns', async (ctx) => {
    if (!mounted) ctx.skip();
    let d: DaemonHandle | undefined;
    try {
      d = await startDaemon({ dir, files: { 'before.yaml': shJob('before', 'true') } });
      await waitFor('before complete', () => hasCondition(d!.stateDir, 'before', 'Complete'));
      const filler = join(d.stateDir, 'filler');
      fill(filler);
      d.writeJob('during.yaml', shJob('during', 'echo hello', '  parallelism: 3\n  completions: 3\n'));
      await waitFor('a failed write reported', () => /database or disk is full|ENOSPC|no space left/i.test(d!.log()), 15_000);
      expect(d.proc.exitCode).toBeNull();
      // Every process started belongs to a pod whose row was committed.
      const known = new Set(withDb(d.stateDir, (db) => listPods(db).map((p) => p.uid)));
      // A pod's log folder (where its supervisor keeps its records) is made just before its start.
      for (const folder of readdirSync(join(d.stateDir, 'logs'))) {
        const uid = folder.slice(folder.lastIndexOf('_') + 1);
        expect(known.has(uid), `pod log folder ${folder} without a row`).toBe(true);
      }
      rmSync(filler);
      rmSync(`${filler}.tail`);
      await waitFor('during complete once space returned', () => hasCondition(d!.stateDir, 'during', 'Complete'), 20_000);
      expect(podsOf(d.stateDir, 'during')).toHaveLength(3);
      const warned = await waitFor('the outage recorded as an event', () => {
        const rows = withDb(d!.stateDir, (db) => db.prepare("SELECT type, message FROM events WHERE reason = 'StateWriteFailed'").all());
        return rows.length > 0 ? rows : undefined;
      });
      expect(warned).toEqual([{ type: 'Warning', message: expect.stringContaining('database or disk is full') }]);
      expect(d.proc.exitCode).toBeNull();
      await checkInvariants(d);

      // Full again while a pod runs and ends (its supervisor cannot even write its exit file):
      // the daemon survives whatever write fails and the Job still completes once space returns.
    } finally {
      if (d) {
        await d.stop('SIGTERM');
        // cleanup() would remove the mounted folder; only the pods are killed here.
        const { killPodGroups } = await import('../helpers/e2e.js');
        killPodGroups(d.stateDir);
      }
    }
  });
  // The wrapper cannot write its exit file on a full disk; the daemon, its
  // parent, learns the status from the wrapper's own exit and retries its write.
  it('a pod that ends while the disk is full is recorded once space returns', async (ctx) => {
    if (!mounted) ctx.skip();
    let d: DaemonHandle | undefined;
    try {
      d = await startDaemon({ dir, files: {} });
      const filler = join(d.stateDir, 'filler');
      d.writeJob('running.yaml', shJob('running', 'sleep 1', '  completions: 2\n'));
      const [pod] = await waitFor('running started', () => {
        const p = podsOf(d!.stateDir, 'running');
        return p.length === 1 && p[0]!.status.phase === 'Running' ? p : undefined;
      });
      fill(filler);
      await waitFor('pod ended while full', () => !podAlive(d!.stateDir, pod!.uid), 10_000);
      expect(d.proc.exitCode).toBeNull();
      rmSync(filler);
      rmSync(`${filler}.tail`);
      await waitFor('running complete once space returned', () => hasCondition(d!.stateDir, 'running', 'Complete'), 20_000);
      await checkInvariants(d);
    } finally {
      if (d) {
        await d.stop('SIGTERM');
        const { killPodGroups } = await import('../helpers/e2e.js');
        killPodGroups(d.stateDir);
      }
    }
  });
});
