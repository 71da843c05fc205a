// The gitjobs.io/rlimits annotation applied to real pods through prlimit.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { hasCondition, podsOf } from './harness.js';

function limitedJob(name: string, rlimits: string, script: string): string {
  return (
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  backoffLimit: 0\n  template:\n` +
    `    metadata:\n      annotations:\n        gitjobs.io/rlimits: ${JSON.stringify(rlimits)}\n` +
    `    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["sh", "-c", ${JSON.stringify(script)}]\n`
  );
}

describe('rlimits from the gitjobs.io/rlimits annotation', () => {
  let d: DaemonHandle;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => {
    await d.cleanup();
  });

  it('nofile=100 is the soft and the hard limit the workload sees', async () => {
    d.writeJob('nofile.yaml', limitedJob('nofile', 'nofile=100', 'echo "soft=$(ulimit -Sn) hard=$(ulimit -Hn)"'));
    await waitFor('the Job complete', () => hasCondition(d.stateDir, 'nofile', 'Complete'));
    expect(d.cli(['logs', 'job/nofile']).stdout.trim()).toBe('soft=100 hard=100');
  });

  it('fsize=1Mi stops a 2 MiB write at 1 MiB with SIGXFSZ', async () => {
    const out = join(d.dir, 'big');
    d.writeJob('fsize.yaml', limitedJob('fsize', 'fsize=1Mi', `head -c 2097152 /dev/zero > ${out}`));
    await waitFor('the Job failed', () => hasCondition(d.stateDir, 'fsize', 'Failed'));
    expect(statSync(out).size).toBe(1024 * 1024);
    const [pod] = podsOf(d.stateDir, 'fsize');
    // 128 + SIGXFSZ (25), as a shell reports a child killed by the signal.
    expect(pod?.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(153);
  });

  it('limits the annotation does not name keep the values the daemon has', async () => {
    d.writeJob('plain.yaml', limitedJob('plain', 'core=0', 'ulimit -Hn'));
    await waitFor('the Job complete', () => hasCondition(d.stateDir, 'plain', 'Complete'));
    expect(Number(d.cli(['logs', 'job/plain']).stdout.trim())).toBeGreaterThan(100);
  });
});
