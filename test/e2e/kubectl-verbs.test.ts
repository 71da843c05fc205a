import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  it('shows the node, the IP, and the scheduler and kubelet events', () => {
    const name = JSON.parse(run(['get', 'pods', '-o', 'json']).stdout).items[0].metadata.name as string;
    const r = run(['describe', 'pod', name]);
    expect(r.stdout).toMatch(new RegExp(`^Node:\\s+${hostname()}/127\\.0\\.0\\.1$`, 'm'));
    expect(r.stdout).toMatch(/^IP:\s+127\.0\.0\.1\nIPs:\n {2}IP:\s+127\.0\.0\.1$/m);
    const events = r.stdout.slice(r.stdout.indexOf('Events:'));
    expect(events).toMatch(new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/${name} to ${hostname()}\\n`));
    expect(events).toMatch(/Normal\s+Created\s+\S+\s+kubelet\s+Created container: main\n.*Normal\s+Started\s+\S+\s+kubelet\s+Started container main\n/s);
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

describe('events', () => {
  it('lists the events of one object with --for, of one type with --types', () => {
    const r = run(['events', '--for', 'job/pi']);
    expect(r.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    expect(r.stdout).toMatch(/Normal\s+Completed\s+job\/pi\s+Job completed/);
    expect(r.stdout).not.toMatch(/pod\//);
    expect(run(['events', '--for', 'job/pi', '--types', 'Warning']).stderr).toBe('No resources found in default namespace.\n');
    expect(run(['events', '--types', 'Info']).code).toBe(2);
  });
});

describe('logs -l', () => {
  it('prints the logs of every matching pod, with --prefix', () => {
    const r = run(['logs', '-l', 'job-name=pi', '--prefix']);
    expect(r.stdout).toMatch(/^\[pod\/pi-\w+\/main\] computing\n\[pod\/pi-\w+\/main\] done\n$/);
    expect(run(['logs', '-l', 'job-name=pi', '--tail', '1']).stdout).toBe('done\n');
    expect(run(['logs', '-l', 'job-name=nope']).stderr).toBe('No resources found in default namespace.\n');
  });
});

describe('apply --dry-run, diff and create job', () => {
  const adhoc = (parallelism: number): string =>
    jobYaml('adhoc', 'sleep 30').replace('spec:\n  template:', `spec:\n  parallelism: ${parallelism}\n  template:`);

  it('--dry-run=client and server store nothing; -o yaml shows what would be stored', () => {
    expect(run(['apply', '-f', '-', '--dry-run=client'], adhoc(1))).toMatchObject({ code: 0, stdout: 'job.batch/adhoc created (dry run)\n' });
    expect(run(['apply', '-f', '-', '--dry-run=server'], adhoc(1))).toMatchObject({ code: 0, stdout: 'job.batch/adhoc created (server dry run)\n' });
    const yaml = run(['apply', '-f', '-', '--dry-run=server', '-o', 'yaml'], adhoc(1)).stdout;
    expect(yaml).toMatch(/^kind: Job$/m);
    expect(yaml).toMatch(/^ {4}batch\.kubernetes\.io\/controller-uid: [0-9a-f-]{36}$/m);
    expect(d.job('adhoc')).toBeUndefined();
    expect(run(['apply', '-f', '-', '--dry-run=maybe'], adhoc(1)).code).toBe(2);
  });

  it('diff exits 1 with a unified diff when applying would change the Job, 0 when not', () => {
    const file = join(d.dir, 'adhoc.yaml');
    writeFileSync(file, adhoc(0));
    const created = run(['diff', '-f', file]);
    expect(created.code).toBe(1);
    expect(created.stdout).toMatch(/^\+kind: Job$/m);
    expect(run(['apply', '-f', file])).toMatchObject({ code: 0, stdout: 'job.batch/adhoc created\n' });
    expect(run(['diff', '-f', file])).toMatchObject({ code: 0, stdout: '' });
    writeFileSync(file, adhoc(2));
    const changed = run(['diff', '-f', file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^-  parallelism: 0\n\+  parallelism: 2$/m);
    expect(d.job('adhoc')!.spec.parallelism).toBe(0);
    writeFileSync(file, adhoc(0).replace('sleep 30', 'sleep 31'));
    expect(run(['diff', '-f', file]).code).toBeGreaterThan(1);
  });

  it('patch --type=json changes a mutable field; an immutable one is refused', async () => {
    expect(run(['patch', 'job', 'adhoc', '--type=json', '-p', '[{"op":"replace","path":"/spec/parallelism","value":1}]'])).toMatchObject({ code: 0, stdout: 'job.batch/adhoc patched\n' });
    expect(d.job('adhoc')!.spec.parallelism).toBe(1);
    const labels = run(['patch', 'job/adhoc', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels/team","value":"data"}]']);
    expect(labels.code).toBe(0);
    expect(d.job('adhoc')!.metadata.labels.team).toBe('data');
    const immutable = run(['patch', 'job', 'adhoc', '--type=json', '-p', '[{"op":"add","path":"/spec/completions","value":3}]']);
    expect(immutable.code).toBe(1);
    expect(immutable.stderr, immutable.stderr).toMatch(/field is immutable/);
    expect(run(['patch', 'job', 'adhoc', '--type=json', '-p', '[{"op":"remove","path":"/spec/nope"}]']).stderr).toMatch(/path "\/spec\/nope" does not exist/);
    // Killing is the kubelet stopping a started container, so the pod must be running before the delete.
    await waitFor('the adhoc pod running', () => d.pods('job-name=adhoc')[0]?.status.containerStatuses?.[0]?.state.running !== undefined);
    const pod = d.pods('job-name=adhoc')[0]!.metadata.name;
    expect(run(['delete', 'job', 'adhoc']).code).toBe(0);
    // Its running pod was stopped: the kubelet's Killing event says so (recorded once the stop is, so waited for).
    const killing = /Normal\s+Killing\s+pod\/\S+\s+Stopping container main/;
    await waitFor('the Killing event', () => killing.test(run(['events', '--for', `pod/${pod}`]).stdout));
    expect(run(['events', '--for', `pod/${pod}`]).stdout).toMatch(killing);
  });

  it('create job NAME --image -- CMD runs the command; --dry-run=client -o yaml prints the manifest', async () => {
    const manifest = run(['create', 'job', 'imperative', '--image=busybox', '--dry-run=client', '-o', 'yaml', '--', 'sh', '-c', 'echo made here']);
    expect(manifest.stdout).toContain('      - command:\n        - sh\n        - -c\n        - echo made here\n        image: busybox\n        name: imperative\n      restartPolicy: Never\n');
    const file = join(d.dir, 'imperative.yaml');
    writeFileSync(file, manifest.stdout);
    expect(run(['validate', file])).toMatchObject({ code: 0 });
    expect(run(['create', 'job', 'imperative', '--image=busybox', '--', 'sh', '-c', 'echo made here'])).toMatchObject({ code: 0, stdout: 'job.batch/imperative created\n' });
    await waitFor('imperative complete', () => condition(d.job('imperative'), 'Complete'));
    expect(run(['logs', 'job/imperative']).stdout).toBe('made here\n');
    expect(run(['create', 'job', 'imperative', '--', 'true']).code).toBe(2);
  });
});
