import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { checkInvariants, hasCondition, jobStatus, shJob } from './harness.js';

let handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
});

describe('crash between spawning a pod and recording it (5)', () => {
  it('a restarted daemon adopts the container that was already spawned and never starts it twice', async () => {
    const first = await startDaemon({
      // The pod's first status update is the kubelet recording that its container runs:
      // the daemon dies inside that transaction, after the spawn.
      env: { GITJOBS_TEST_CRASH_AT: 'update:pod_status:1' },
      files: {},
    });
    handles.push(first);
    const runs = join(first.dir, 'runs.txt');
    first.writeJob('once.yaml', shJob('once', `echo ran >> ${runs}; sleep 1`));
    await waitFor('the daemon killed itself', () => first.proc.exitCode !== null || first.proc.signalCode !== null, 15_000);
    const again = await startDaemon({ dir: first.dir });
    handles.push(again);
    await waitFor('once complete', () => hasCondition(again.stateDir, 'once', 'Complete'), 20_000);
    expect(readFileSync(runs, 'utf8')).toBe('ran\n');
    expect(jobStatus(again.stateDir, 'once')).toMatchObject({ succeeded: 1, failed: 0 });
    await checkInvariants(again);
  });
});
