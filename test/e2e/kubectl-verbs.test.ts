import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { jobYaml } from '../source/fixture.js';

// The kubectl verbs and flags users reach for, through the real CLI against a real daemon.

let d: DaemonHandle;
beforeAll(async () => {
  d = await startDaemon({ files: { 'pi.yaml': jobYaml('pi', 'echo computing; echo done') } });
  await waitFor('pi complete', () => condition(d.job('pi'), 'Complete'));
});
afterAll(async () => {
  await d.cleanup();
});

function run(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: d.dir, input, encoding: 'utf8', env: { ...process.env, GITJOBS_STATE: d.stateDir }, timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('get', () => {
  it('get all lists pods and jobs under their kind names', () => {
    const r = run(['get', 'all']);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/pi-\w+\s+0\/1\s+Completed/);
    expect(r.stdout).toMatch(/\n\nNAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\njob\.batch\/pi\s+Complete\s+1\/1/);
    expect(run(['get', 'all', '-o', 'name']).stdout).toMatch(/^pod\/pi-\w+\njob\.batch\/pi\n$/);
  });

  it('-o wide shows this host as NODE and its address as IP', () => {
    const r = run(['get', 'pods', '-o', 'wide', '--no-headers']);
    expect(r.stdout).toMatch(new RegExp(`^pi-\\w+\\s+0/1\\s+Completed\\s+0\\s+\\S+\\s+127\\.0\\.0\\.1\\s+${hostname()}\\s+<none>\\s+<none>\\n$`));
  });

  it('--field-selector on events picks by involved object and type; an unknown field is refused', () => {
    const normal = run(['get', 'events', '--field-selector', 'involvedObject.name=pi,type=Normal', '--no-headers']);
    expect(normal.stdout).toMatch(/Normal\s+Completed\s+job\/pi/);
    expect(run(['get', 'events', '--field-selector', 'involvedObject.name=pi,type=Warning']).stderr).toBe('No resources found in default namespace.\n');
    const pods = run(['get', 'pods', '--field-selector', `spec.nodeName=${hostname()}`, '-o', 'name']);
    expect(pods.stdout).toMatch(/^pod\/pi-\w+\n$/);
    const bad = run(['get', 'events', '--field-selector', 'spec.nope=1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/field label not supported: spec\.nope/);
  });

  it('-o yaml carries resourceVersion and the API server pod-template defaults', () => {
    const job = run(['get', 'job', 'pi', '-o', 'yaml']).stdout;
    expect(job).toMatch(/^ {2}resourceVersion: "\d+"$/m);
    for (const line of [
      '        imagePullPolicy: Always',
      '        terminationMessagePath: /dev/termination-log',
      '        terminationMessagePolicy: File',
      '      dnsPolicy: ClusterFirst',
      '      schedulerName: default-scheduler',
      '      securityContext: {}',
    ]) {
      expect(job).toContain(`${line}\n`);
    }
    const pod = JSON.parse(run(['get', 'pods', '-o', 'json']).stdout) as {
      metadata: { resourceVersion: string };
      items: { metadata: { resourceVersion: string }; spec: { nodeName: string }; status: { hostIP: string; podIP: string } }[];
    };
    expect(Number(pod.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(pod.items[0]!.metadata.resourceVersion));
    expect(pod.items[0]).toMatchObject({ spec: { nodeName: hostname() }, status: { hostIP: '127.0.0.1', podIP: '127.0.0.1' } });
  });
});

describe('describe pod', () => {
  it('shows the node and IP', () => {
    const name = JSON.parse(run(['get', 'pods', '-o', 'json']).stdout).items[0].metadata.name as string;
    const r = run(['describe', 'pod', name]);
    expect(r.stdout).toMatch(new RegExp(`^Node:\\s+${hostname()}/127\\.0\\.0\\.1$`, 'm'));
    expect(r.stdout).toMatch(/^IP:\s+127\.0\.0\.1\nIPs:\n {2}IP:\s+127\.0\.0\.1$/m);
  });
});

describe('wait', () => {
  it('--for=jsonpath waits for a value, --for=delete for the object to go', () => {
    expect(run(['wait', 'job/pi', `--for=jsonpath='{.status.succeeded}'=1`, '--timeout=10s'])).toMatchObject({ code: 0, stdout: 'job.batch/pi condition met\n' });
    expect(run(['wait', 'job/pi', '--for=jsonpath={.status.succeeded}=2', '--timeout=300ms'])).toMatchObject({ code: 1 });
    expect(run(['wait', 'job/pi', '--for=jsonpath={.status.completionTime}', '--timeout=10s']).code).toBe(0);
    expect(run(['wait', 'job/nope', '--for=delete', '--timeout=1s'])).toMatchObject({ code: 0 });
  });
});
