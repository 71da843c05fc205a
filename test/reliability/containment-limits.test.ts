// Containment, part 2: resource limits through the pod's cgroups, and the log
// size cap. Real daemon (as root here), real processes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerLogPath } from '../../src/executor/logs/paths.js';
import { waitFor } from '../helpers/e2e.js';
import { enforces, limitV2, rssKb, runCgroup } from './containment-harness.js';
import { checkInvariants, hasCondition, jobStatus, managedDaemons, NEVER, podsOf, shJob } from './harness.js';

const daemon = managedDaemons();

/** shJob with container resources. */
function limitedJob(name: string, script: string, limits: string, spec = '  backoffLimit: 0\n'): string {
  return shJob(name, script, spec, NEVER).replace(/(command: .*\n)$/, `$1        resources:\n          limits: {${limits}}\n`);
}

describe('resource limits', () => {
  it('a fork bomb stops at the pods limit: the pod fails, the daemon and another pod carry on (52; skipped without a pids controller)', async (ctx) => {
    if (!enforces('pids')) ctx.skip();
    // Bounded even where the limit would not hold: 3000 sleeps, each ended with the pod.
    const bomb = 'i=0; while [ $i -lt 3000 ]; do sleep 60 & i=$((i+1)); done; wait';
    const d = await daemon({ files: { 'bomb.yaml': shJob('bomb', bomb, '  backoffLimit: 0\n') }, extraArgs: ['--pod-pids-max', '64'] });
    await waitFor('bomb failed', () => hasCondition(d.stateDir, 'bomb', 'Failed'), 20_000);
    const [pod] = podsOf(d.stateDir, 'bomb');
    expect(pod!.status.containerStatuses[0]!.state.terminated?.exitCode).not.toBe(0);
    expect(d.cli(['logs', pod!.name]).stdout).toMatch(/[Cc]annot fork|Resource temporarily unavailable/);
    d.writeJob('ok.yaml', shJob('ok', 'echo fine'));
    await waitFor('the other Job completes', () => hasCondition(d.stateDir, 'ok', 'Complete'));
    expect(d.cli(['get', 'pods']).code).toBe(0);
    await checkInvariants(d);
  });

  it('a memory hog over limits.memory is OOM-killed: container reason OOMKilled, exit code 137, pod Failed (53; skipped without a memory controller)', async (ctx) => {
    if (!enforces('memory')) ctx.skip();
    // tail keeps a line without newlines whole in memory: it grows until the limit.
    const d = await daemon({ files: { 'hog.yaml': limitedJob('hog', 'head -c 400000000 /dev/zero | tail', 'memory: 32Mi') } });
    await waitFor('hog failed', () => hasCondition(d.stateDir, 'hog', 'Failed'), 30_000);
    const [pod] = podsOf(d.stateDir, 'hog');
    expect(pod!.status.phase).toBe('Failed');
    expect(pod!.status.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    const r = d.cli(['get', 'pods']);
    expect(r.stdout).toMatch(/hog-\S+\s+0\/1\s+OOMKilled\s/);
    expect(jobStatus(d.stateDir, 'hog')?.failed).toBe(1);
    await checkInvariants(d);
  });

  it('a CPU hog is throttled to limits.cpu: its cgroup counts throttled periods (54; skipped without a cpu controller)', async (ctx) => {
    if (!enforces('cpu')) ctx.skip();
    const d = await daemon({ files: { 'spin.yaml': limitedJob('spin', 'while :; do :; done', 'cpu: 100m') } });
    const pod = await waitFor('spin running', () => podsOf(d.stateDir, 'spin').find((p) => p.status.phase === 'Running'));
    const stat = join(runCgroup(d.stateDir, 'cpu', pod.uid), 'cpu.stat');
    const quota = readFileSync(join(dirname(stat), limitV2('cpu') ? 'cpu.max' : 'cpu.cfs_quota_us'), 'utf8').trim();
    expect(quota).toMatch(/^10000( 100000)?$/);
    await waitFor('throttled', () => Number(/^nr_throttled (\d+)$/m.exec(readFileSync(stat, 'utf8'))?.[1]) >= 3, 10_000);
    expect(d.cli(['get', 'pods']).code).toBe(0);
    d.removeJob('spin.yaml');
    await waitFor('Job removed', () => d.job('spin') === undefined);
    await checkInvariants(d);
  });

  it('limits this node cannot enforce do not stop the pod: it runs and gets a LimitNotEnforced Warning', async () => {
    const d = await daemon({ files: { 'eph.yaml': limitedJob('eph', 'echo ran', 'ephemeral-storage: 1Gi') } });
    await waitFor('eph complete', () => hasCondition(d.stateDir, 'eph', 'Complete'));
    const [pod] = podsOf(d.stateDir, 'eph');
    const events = d.cli(['get', 'events']).stdout;
    expect(events).toMatch(new RegExp(`Warning\\s+LimitNotEnforced\\s+pod/${pod!.name}\\s+Container c: limits.ephemeral-storage not enforced`));
  });
});

describe('log size cap', () => {
  it('a pod printing far more than --pod-log-max-size: its log stays bounded on disk, the daemon RSS flat, logs shows the tail (42)', async () => {
    // 20 MiB in 1 MiB bursts: each burst far over nothing, the whole far over the 1 MiB cap.
    // (An unpaced flood outruns any periodic rotation on a busy machine, the kubelet's too.)
    const script = 'for i in $(seq 20); do yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 1048576; echo; sleep 0.1; done; echo THE-END';
    const d = await daemon({ files: {}, extraArgs: ['--pod-log-max-size', '1Mi'] });
    const rssBefore = rssKb(d.proc.pid!);
    d.writeJob('chatty.yaml', shJob('chatty', script));
    let peak = 0;
    let peakRss = rssBefore;
    await waitFor(
      'chatty complete',
      () => {
        const [pod] = podsOf(d.stateDir, 'chatty');
        if (pod !== undefined) {
          const dir = dirname(containerLogPath(d.stateDir, pod.namespace, pod.name, pod.uid, 'c', 0));
          try {
            peak = Math.max(peak, readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0));
          } catch {
            // not created yet
          }
        }
        peakRss = Math.max(peakRss, rssKb(d.proc.pid!));
        return hasCondition(d.stateDir, 'chatty', 'Complete');
      },
      60_000,
      20,
    );
    const [pod] = podsOf(d.stateDir, 'chatty');
    const log = containerLogPath(d.stateDir, pod!.namespace, pod!.name, pod!.uid, 'c', 0);
    expect(statSync(log).size).toBeLessThanOrEqual(1 << 20);
    expect(statSync(`${log}.1`).size).toBeLessThanOrEqual(1 << 20);
    // Bounded: the cap, the one older file, and a burst or two between checks,
    // against 20 MiB written.
    expect(peak).toBeLessThan(6 << 20);
    expect(peakRss - rssBefore).toBeLessThan(64 * 1024);
    const out = d.cli(['logs', pod!.name]);
    expect(out.code).toBe(0);
    expect(out.stdout.endsWith('THE-END\n')).toBe(true);
    await checkInvariants(d);
  });
});
