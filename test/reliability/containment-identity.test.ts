// Containment, part 1: who a pod runs as, what it can reach, and that its whole
// process tree ends with it. Real daemon (as root here), real processes.
import { describe, expect, it } from 'vitest';
import { isPodTerminal } from '../../src/api/pods.js';
import { waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { hasCgroups, hasCompiledSupervisor, hasSetpriv, hasUnshare, isRoot, podCgroupDirs, statusField, stillRunning } from './containment-harness.js';
import { checkInvariants, hasCondition, jobStatus, managedDaemons, podsOf, shJob } from './harness.js';

const daemon = managedDaemons();

function logsOf(d: DaemonHandle, job: string): string {
  const [pod] = podsOf(d.stateDir, job);
  if (pod === undefined) throw new Error(`no pod of ${job}`);
  const r = d.cli(['logs', pod.name]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const done = (d: DaemonHandle, job: string) => waitFor(`${job} finished`, () => hasCondition(d.stateDir, job, 'Complete') || hasCondition(d.stateDir, job, 'Failed'));

describe('pod identity and isolation', () => {
  // The compiled supervisor drops privileges itself; the shell one (no C compiler) through setpriv(1).
  // it.for, not it.each: only it.for hands the test its context (for ctx.skip).
  it.for([
    ['the compiled supervisor', 'compiled', {}],
    ['the shell supervisor and setpriv', 'shell', { GITJOBS_POD_SUPERVISOR: 'shell' }],
  ] as const)('a pod of a root daemon runs as nobody with no capabilities and no_new_privs; it cannot write the state folder or leave its cgroup, under %s (49; skipped when not root or without either)', async ([, kind, env], ctx) => {
    if (!isRoot || (kind === 'shell' ? !hasSetpriv : !hasCompiledSupervisor)) ctx.skip();
    const d = await daemon({ files: {}, extraArgs: ['--pod-user', 'nobody'], env });
    expect(d.log()).toContain(` supervisor=${kind} `);
    const script = [
      "grep -E '^(Uid|Gid|Groups|CapEff|CapBnd|NoNewPrivs):' /proc/self/status",
      `touch ${d.stateDir}/intruder 2>/dev/null && echo STATE=writable || echo STATE=denied`,
      `(echo x >> ${d.stateDir}/gitjobs.db) 2>/dev/null && echo DB=writable || echo DB=denied`,
      'mount -t tmpfs none /mnt 2>/dev/null && echo MOUNT=done || echo MOUNT=denied',
      '(echo $$$$ > /sys/fs/cgroup/unified/cgroup.procs) 2>/dev/null && echo ESCAPE=done || echo ESCAPE=denied',
      '(echo $$$$ > /sys/fs/cgroup/pids/cgroup.procs) 2>/dev/null && echo ESCAPE1=done || echo ESCAPE1=denied',
      'echo HOME=$HOME',
    ].join('; ');
    d.writeJob('who.yaml', shJob('who', script));
    await done(d, 'who');
    const log = logsOf(d, 'who');
    expect(statusField(log, 'Uid')?.split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
    expect(statusField(log, 'Gid')?.split(/\s+/)[0]).toBe('65534');
    expect(statusField(log, 'Groups')).toBe('');
    expect(statusField(log, 'CapEff')).toBe('0000000000000000');
    expect(statusField(log, 'CapBnd')).toBe('0000000000000000');
    expect(statusField(log, 'NoNewPrivs')).toBe('1');
    for (const what of ['STATE', 'DB', 'MOUNT', 'ESCAPE', 'ESCAPE1']) expect(log).toContain(`${what}=denied`);
    expect(log).not.toMatch(/HOME=\/root/);
    expect(hasCondition(d.stateDir, 'who', 'Complete')).toBe(true);
    await checkInvariants(d);
  });

  it('a pod cannot signal the daemon (50; skipped when not root)', async (ctx) => {
    if (!isRoot) ctx.skip();
    const d = await daemon({ files: {}, extraArgs: ['--pod-user', 'nobody'] });
    const pid = d.proc.pid!;
    d.writeJob('sig.yaml', shJob('sig', `kill -TERM ${pid} 2>/dev/null && echo SIGNALLED || echo DENIED; kill -KILL ${pid} 2>/dev/null && echo KILLED || echo DENIED`));
    await done(d, 'sig');
    expect(logsOf(d, 'sig')).toBe('DENIED\nDENIED\n');
    expect(d.proc.exitCode).toBeNull();
    expect(d.cli(['get', 'jobs']).code).toBe(0);
  });

  it('with --pod-pid-namespace a pod sees only its own processes: another pod\'s environment is out of reach (48; skipped without unshare or root)', async (ctx) => {
    if (!hasUnshare) ctx.skip();
    const secret = shJob('holder', 'echo UP; sleep 30', '', `      restartPolicy: Never\n`).replace(
      'command: ["sh", "-c", "echo UP; sleep 30"]',
      'command: ["sh", "-c", "echo UP; sleep 30"]\n        env: [{name: SECRET_TOKEN, value: canary-123}]',
    );
    const d = await daemon({ files: { 'holder.yaml': secret }, extraArgs: ['--pod-pid-namespace', '--pod-user', 'nobody'] });
    await waitFor('holder running', () => podsOf(d.stateDir, 'holder')[0]?.status.phase === 'Running' && logsOf(d, 'holder').includes('UP'));
    d.writeJob('peek.yaml', shJob('peek', "echo PIDS=$(ls /proc | grep -c '^[0-9]'); echo SELF=$$$$; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c canary-123 || true"));
    await done(d, 'peek');
    const log = logsOf(d, 'peek');
    expect(log).toContain('SELF=1\n');
    expect(Number(/PIDS=(\d+)/.exec(log)?.[1])).toBeLessThanOrEqual(5);
    expect(log.trim().split('\n').at(-1)).toBe('0');
    d.removeJob('holder.yaml');
    await checkInvariants(d);
  });
});

describe('a uid per pod', () => {
  it("with --pod-uid-range each pod runs as a uid of its own: another pod's environment is out of reach (48; skipped without setpriv or root)", async (ctx) => {
    if (!isRoot || !hasSetpriv) ctx.skip();
    const holder = shJob('holder', 'echo UID=$(id -u); sleep 30').replace(
      'command: ["sh", "-c", "echo UID=$(id -u); sleep 30"]',
      'command: ["sh", "-c", "echo UID=$(id -u); sleep 30"]\n        env: [{name: SECRET_TOKEN, value: canary-123}]',
    );
    const d = await daemon({ files: { 'holder.yaml': holder }, extraArgs: ['--pod-user', 'nobody', '--pod-uid-range', '200000-200009'] });
    await waitFor('holder running', () => podsOf(d.stateDir, 'holder')[0]?.status.phase === 'Running' && logsOf(d, 'holder').includes('UID='));
    d.writeJob('peek.yaml', shJob('peek', "echo UID=$(id -u); cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c canary-123 || true"));
    await done(d, 'peek');
    const holderUid = Number(/UID=(\d+)/.exec(logsOf(d, 'holder'))?.[1]);
    const log = logsOf(d, 'peek');
    const peekUid = Number(/UID=(\d+)/.exec(log)?.[1]);
    expect(holderUid).toBe(200000);
    expect(peekUid).toBe(200001);
    // The holder's environment holds the canary; the other pod, as another uid, cannot read it.
    expect(log.trim().split('\n').at(-1)).toBe('0');
    d.removeJob('holder.yaml');
    await checkInvariants(d);
  });

  it('a pod keeps its uid across a daemon restart, and a new pod does not get it', async (ctx) => {
    if (!isRoot || !hasSetpriv) ctx.skip();
    const args = ['--pod-user', 'nobody', '--pod-uid-range', '200100-200109'];
    const first = await daemon({ files: { 'long.yaml': shJob('long', 'echo UID=$(id -u); sleep 30') }, extraArgs: args });
    await waitFor('long running', () => logsOf(first, 'long').includes('UID='));
    await first.stop('SIGKILL');
    const d = await daemon({ dir: first.dir, extraArgs: args });
    d.writeJob('next.yaml', shJob('next', 'echo UID=$(id -u)'));
    await done(d, 'next');
    expect(logsOf(d, 'long')).toContain('UID=200100');
    expect(logsOf(d, 'next')).toContain('UID=200101');
    d.removeJob('long.yaml');
    await checkInvariants(d);
  });
});

describe('the process tree ends with the pod', () => {
  it('activeDeadlineSeconds kills the whole tree, including a setsid child and a double-forked one; the Job fails with DeadlineExceeded (55; skipped without cgroups)', async (ctx) => {
    if (!hasCgroups) ctx.skip();
    // `$$$$`: Kubernetes expands `$$` in a command to `$`.
    const script = "setsid sh -c 'echo ESCAPEE $$$$; exec sleep 301' & (sleep 302 & echo ORPHAN $!); sleep 303";
    const d = await daemon({ files: { 'dl.yaml': shJob('dl', script, '  activeDeadlineSeconds: 1\n  backoffLimit: 0\n') } });
    const pids = await waitFor('both escapees started', () => {
      const [pod] = podsOf(d.stateDir, 'dl');
      if (pod === undefined) return undefined;
      const log = d.cli(['logs', pod.name]).stdout;
      const e = /ESCAPEE (\d+)/.exec(log)?.[1];
      const o = /ORPHAN (\d+)/.exec(log)?.[1];
      return e !== undefined && o !== undefined ? { escapee: Number(e), orphan: Number(o), pod } : undefined;
    });
    expect(stillRunning(pids.escapee, 'sleep 301')).toBe(true);
    await waitFor('Job failed', () => hasCondition(d.stateDir, 'dl', 'Failed'), 15_000);
    expect(d.job('dl')?.status.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded');
    await waitFor('escapees gone', () => !stillRunning(pids.escapee, 'sleep 301') && !stillRunning(pids.orphan, 'sleep 302'), 5000);
    await waitFor('pod cgroups removed', () => podCgroupDirs(d.stateDir, pids.pod.uid).length === 0, 5000);
    // Nothing of the pod runs any more (I2); the Job counted it once.
    expect(podsOf(d.stateDir, 'dl').every((p) => isPodTerminal(p))).toBe(true);
    expect(jobStatus(d.stateDir, 'dl')).toMatchObject({ failed: 1, succeeded: 0 });
  });

  it('a workload that daemonizes a child and exits 0: the leftover is killed, the pod succeeds and is counted once (56; skipped without cgroups)', async (ctx) => {
    if (!hasCgroups) ctx.skip();
    const d = await daemon({ files: { 'bg.yaml': shJob('bg', 'setsid sleep 304 & echo LEFT $!; exit 0') } });
    await waitFor('bg complete', () => hasCondition(d.stateDir, 'bg', 'Complete'));
    const [pod] = podsOf(d.stateDir, 'bg');
    const left = Number(/LEFT (\d+)/.exec(logsOf(d, 'bg'))?.[1]);
    expect(left).toBeGreaterThan(1);
    expect(stillRunning(left, 'sleep 304')).toBe(false);
    expect(pod!.status.phase).toBe('Succeeded');
    expect(pod!.status.containerStatuses[0]!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(jobStatus(d.stateDir, 'bg')).toMatchObject({ succeeded: 1, failed: 0 });
    expect(podCgroupDirs(d.stateDir, pod!.uid)).toEqual([]);
    await checkInvariants(d);
  });

  it('a daemon restarted while a pod runs re-attaches to it and still kills its escapee at the end (1 + 56; skipped without cgroups)', async (ctx) => {
    if (!hasCgroups) ctx.skip();
    const first = await daemon({ files: { 'ra.yaml': shJob('ra', 'setsid sleep 305 & echo LEFT $!; sleep 1.5; exit 0') } });
    const left = await waitFor('escapee started', () => {
      const [pod] = podsOf(first.stateDir, 'ra');
      const m = pod === undefined ? null : /LEFT (\d+)/.exec(first.cli(['logs', pod.name]).stdout);
      return m === null ? undefined : Number(m[1]);
    });
    await first.stop('SIGKILL');
    const again = await daemon({ dir: first.dir });
    await waitFor('ra complete', () => hasCondition(again.stateDir, 'ra', 'Complete'));
    expect(stillRunning(left, 'sleep 305')).toBe(false);
    expect(jobStatus(again.stateDir, 'ra')).toMatchObject({ succeeded: 1, failed: 0 });
    expect(podsOf(again.stateDir, 'ra')).toHaveLength(1);
    await checkInvariants(again);
  });
});
