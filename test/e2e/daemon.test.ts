import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, condition, groupAlive, jobYaml, startDaemon, waitFor, workloadPids, type DaemonHandle } from '../helpers/e2e.js';

let handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
});

describe('daemon lifecycle', () => {
  it('a second daemon on the same state folder is refused with a clear message', async () => {
    const d = await startDaemon();
    handles.push(d);
    const r = spawnSync(process.execPath, ['bin/gitjobs', 'daemon', '--jobs', d.jobsDir, '--state', d.stateDir], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('another gitjobs daemon is already running on this state folder');
  });

  it('a SIGKILLed daemon leaves its pod running; the next one re-attaches and counts it once', async () => {
    const d = await startDaemon({
      files: { 'long.yaml': jobYaml('long', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "sleep 2; echo finished"]\n      restartPolicy: Never\n') },
    });
    handles.push(d);
    const [pgid] = await waitFor('workload started', () => (workloadPids(d.stateDir).length === 1 ? workloadPids(d.stateDir) : undefined));
    await d.stop('SIGKILL');
    expect(groupAlive(pgid!)).toBe(true);
    // A stale socket file is left behind; the new daemon must see it is stale.
    const again = await startDaemon({ dir: d.dir });
    handles.push(again);
    const job = await waitFor('long complete', () => {
      const j = again.job('long');
      return condition(j, 'Complete') ? j : undefined;
    }, 20_000);
    expect(job.status.succeeded).toBe(1);
    expect(job.status.failed ?? 0).toBe(0);
    const pods = again.pods('job-name=long');
    expect(pods).toHaveLength(1);
    expect(again.cli(['logs', pods[0]!.metadata.name]).stdout).toBe('finished\n');
    expect(again.log()).toContain('re-attached to running container');
  });

  it('a pod that ended while no daemon ran is counted from its recorded exit status', async () => {
    const d = await startDaemon({
      files: { 'short.yaml': jobYaml('short', '  backoffLimit: 0\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "sleep 1; exit 4"]\n      restartPolicy: Never\n') },
    });
    handles.push(d);
    const [pgid] = await waitFor('workload started', () => (workloadPids(d.stateDir).length === 1 ? workloadPids(d.stateDir) : undefined));
    await d.stop('SIGKILL');
    await waitFor('workload ended while the daemon was down', () => !groupAlive(pgid!), 10_000);
    const again = await startDaemon({ dir: d.dir });
    handles.push(again);
    const job = await waitFor('short failed', () => {
      const j = again.job('short');
      return condition(j, 'Failed') ? j : undefined;
    });
    expect(job.status.failed).toBe(1);
    const pod = again.pods('job-name=short')[0]!;
    expect(pod.status.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(4);
  });

  it('SIGTERM stops the daemon with exit code 0 and the CLI still reads the state', async () => {
    const d = await startDaemon({
      files: { 'ok.yaml': jobYaml('ok', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["true"]\n      restartPolicy: Never\n') },
    });
    handles.push(d);
    await waitFor('ok complete', () => condition(d.job('ok'), 'Complete'));
    expect(await d.stop('SIGTERM')).toBe(0);
    const r = cli(['get', 'jobs'], { state: d.stateDir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nok\s+Complete\s+1\/1/);
  });
});
