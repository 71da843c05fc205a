import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, jobYaml, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';

// The commands of the Kubernetes Job documentation, run with gitjobs in place of kubectl.

function spec(command: string[], extra = ''): string {
  return `${extra}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ${JSON.stringify(command)}
`;
}

const PI = jobYaml('pi', spec(['echo', '3.14159'], '  backoffLimit: 4\n'));

let d: DaemonHandle;
beforeAll(async () => {
  d = await startDaemon({ backoff: '200ms' });
});
afterAll(async () => {
  await d.cleanup();
});

function file(name: string, text: string): string {
  writeFileSync(join(d.dir, name), text);
  return name;
}

function podNames(selector: string, phase?: string): string[] {
  return d.pods(selector).filter((p) => phase === undefined || p.status.phase === phase).map((p) => p.metadata.name);
}

describe('apply, create, describe, logs', () => {
  it('apply -f creates the Job, and applying it again leaves it unchanged', () => {
    const f = file('pi.yaml', PI);
    expect(d.cli(['apply', '-f', f])).toMatchObject({ code: 0, stdout: 'job.batch/pi created\n' });
    expect(d.cli(['apply', '-f', f])).toMatchObject({ code: 0, stdout: 'job.batch/pi unchanged\n' });
  });

  it('create -f of an existing Job is AlreadyExists', () => {
    const r = d.cli(['create', '-f', 'pi.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (AlreadyExists): jobs.batch "pi" already exists\n');
  });

  it('create -f of a new Job prints what kubectl prints', () => {
    const r = d.cli(['create', '-f', file('hello.yaml', jobYaml('hello', spec(['echo', 'hello'], '  completions: 2\n')))]);
    expect(r).toMatchObject({ code: 0, stdout: 'job.batch/hello created\n' });
  });

  it('wait --for=condition=complete returns once the Job completed', () => {
    const r = d.cli(['wait', '--for=condition=complete', 'job/pi', '--timeout=20s']);
    expect(r).toMatchObject({ code: 0, stdout: 'job.batch/pi condition met\n' });
  });

  it('describe jobs/pi shows the finished Job and the pod it created', () => {
    const r = d.cli(['describe', 'jobs/pi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+pi$/m);
    expect(r.stdout).toMatch(/^Backoff Limit:\s+4$/m);
    expect(r.stdout).toMatch(/^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
    expect(r.stdout).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: pi-[a-z0-9]{5}/);
  });

  it("the pods of a Job by selector and jsonpath, then their logs", () => {
    const pods = d.cli(['get', 'pods', '--selector=job-name=pi', "--output=jsonpath={.items[*].metadata.name}"]);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/^pi-[a-z0-9]{5}$/);
    expect(d.cli(['logs', pods.stdout])).toMatchObject({ code: 0, stdout: '3.14159\n' });
  });

  it('an invalid document is refused with its location; the valid one in the same file is applied', () => {
    const text = `${jobYaml('good', spec(['true']))}---\n${jobYaml('broken', spec(['true']).replace('Never', 'Always'))}`;
    const r = d.cli(['apply', '-f', file('mixed.yaml', text)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('job.batch/good created\n');
    expect(r.stderr).toMatch(/^mixed\.yaml:\d+:\d+: spec\.template\.spec\.restartPolicy: /m);
    expect(d.cli(['get', 'job', 'broken']).code).toBe(1);
  });

  it('apply that changes the pod template of an applied Job is refused as immutable', () => {
    const r = d.cli(['apply', '-f', file('pi2.yaml', jobYaml('pi', spec(['echo', 'tau'], '  backoffLimit: 4\n')))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The Job "pi" is invalid: spec\.template: Invalid value: .*: field is immutable\n$/);
  });

  it('get --sort-by and --show-labels', () => {
    expect(d.cli(['get', 'jobs', '-o', 'name']).stdout).toBe('job.batch/good\njob.batch/hello\njob.batch/pi\n');
    const sorted = d.cli(['get', 'jobs', '--sort-by={.spec.completions}', '-o', 'name']);
    expect(sorted.stdout).toBe('job.batch/good\njob.batch/pi\njob.batch/hello\n');
    const labels = d.cli(['get', 'jobs', 'pi', '--show-labels']);
    expect(labels.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\s+LABELS\n/);
    expect(labels.stdout).toContain('job-name=pi');
  });
});

describe('suspend, resume, scale', () => {
  it('get job myjob -o yaml shows spec.suspend and the Suspended condition', async () => {
    file('myjob.yaml', jobYaml('myjob', spec(['sleep', '30'], '  completions: 5\n  parallelism: 1\n')));
    expect(d.cli(['apply', '-f', 'myjob.yaml']).code).toBe(0);
    await waitFor('a running pod', () => podNames('job-name=myjob', 'Running').length === 1);
    expect(d.cli(['suspend', 'job', 'myjob'])).toMatchObject({ code: 0, stdout: 'job.batch/myjob suspended\n' });
    expect(d.cli(['wait', 'jobs/myjob', '--for=condition=Suspended', '--timeout=10s']).code).toBe(0);
    const yaml = d.cli(['get', 'job', 'myjob', '-o', 'yaml']).stdout;
    expect(yaml).toMatch(/^ {2}suspend: true$/m);
    expect(yaml).toMatch(/- lastProbeTime: ".+"\n {4}lastTransitionTime: ".+"\n {4}message: Job suspended\n {4}reason: JobSuspended\n {4}status: "True"\n {4}type: Suspended/);
  });

  it('describe jobs/myjob lists the Suspended and Resumed events after resume', async () => {
    expect(d.cli(['resume', 'myjob'])).toMatchObject({ code: 0, stdout: 'job.batch/myjob resumed\n' });
    expect(d.cli(['wait', 'jobs/myjob', '--for=condition=Suspended=false', '--timeout=10s']).code).toBe(0);
    await waitFor('a pod after resume', () => podNames('job-name=myjob', 'Running').length === 1);
    const events = d
      .cli(['describe', 'jobs/myjob'])
      .stdout.split('\n')
      .filter((l) => /^\s+Normal\s/.test(l))
      .map((l) => l.trim().split(/\s+/)[1]);
    expect(events).toEqual(['SuccessfulCreate', 'SuccessfulDelete', 'Suspended', 'SuccessfulCreate', 'Resumed']);
  });

  it('scale --replicas=N sets the parallelism and the controller follows', async () => {
    expect(d.cli(['scale', '--replicas=3', 'jobs/myjob'])).toMatchObject({ code: 0, stdout: 'job.batch/myjob scaled\n' });
    expect(d.job('myjob')?.spec.parallelism).toBe(3);
    await waitFor('three running pods', () => podNames('job-name=myjob', 'Running').length === 3);
  });

  it('patch accepts the mutable fields and refuses the others', () => {
    expect(d.cli(['patch', 'job/myjob', '-p', '{"spec":{"activeDeadlineSeconds":600}}'])).toMatchObject({ code: 0, stdout: 'job.batch/myjob patched\n' });
    const r = d.cli(['patch', 'job', 'myjob', '-p', '{"spec":{"completions":9}}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('The Job "myjob" is invalid: spec.completions: Invalid value: 9: field is immutable\n');
  });

  it('wait gives up after --timeout with kubectl’s message', () => {
    const r = d.cli(['wait', '--for=condition=complete', 'job/myjob', '--timeout=300ms']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: timed out waiting for the condition on jobs/myjob\n');
  });

  it('delete jobs/NAME stops its pods and returns once the Job is gone', () => {
    expect(d.cli(['delete', 'jobs/myjob'])).toMatchObject({ code: 0, stdout: 'job.batch "myjob" deleted\n' });
    expect(d.cli(['get', 'job', 'myjob']).stderr).toBe('Error from server (NotFound): jobs.batch "myjob" not found\n');
    expect(podNames('job-name=myjob')).toEqual([]);
  });
});

describe('delete', () => {
  it('delete -f ./job.yaml deletes the Jobs the file defines', () => {
    expect(d.cli(['delete', '-f', './pi.yaml'])).toMatchObject({ code: 0, stdout: 'job.batch "pi" deleted\n' });
    expect(d.job('pi')).toBeUndefined();
  });

  it('delete of a Job that does not exist is NotFound', () => {
    expect(d.cli(['delete', 'job', 'nope'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): jobs.batch "nope" not found\n' });
  });

  it('delete jobs/old --cascade=false removes the Job and leaves its pods running', async () => {
    d.cli(['apply', '-f', file('old.yaml', jobYaml('old', spec(['sleep', '30'])))]);
    await waitFor('the pod of old', () => podNames('job-name=old', 'Running').length === 1);
    const [orphan] = podNames('job-name=old');
    expect(d.cli(['delete', 'jobs/old', '--cascade=false'])).toMatchObject({ code: 0, stdout: 'job.batch "old" deleted\n' });
    expect(d.job('old')).toBeUndefined();
    const all = d.cli(['get', 'pods', '--show-all']);
    expect(all.stdout).toMatch(new RegExp(`^${orphan}\\s+1/1\\s+Running\\s`, 'm'));
    expect(podNames('job-name=old', 'Running')).toEqual([orphan]);
  });

  it('delete pod of an orphan removes it and nothing replaces it', async () => {
    const [orphan] = podNames('job-name=old');
    expect(d.cli(['delete', 'pod', orphan!])).toMatchObject({ code: 0, stdout: `pod "${orphan}" deleted\n` });
    expect(podNames('job-name=old')).toEqual([]);
  });

  it('delete pod of a Job: the controller creates a replacement', async () => {
    d.cli(['apply', '-f', file('replace.yaml', jobYaml('replace', spec(['sleep', '30'])))]);
    await waitFor('the first pod', () => podNames('job-name=replace', 'Running').length === 1);
    const [first] = podNames('job-name=replace');
    expect(d.cli(['delete', 'pod', first!])).toMatchObject({ code: 0, stdout: `pod "${first}" deleted\n` });
    const next = await waitFor('a replacement pod', () => {
      const running = podNames('job-name=replace', 'Running');
      return running.length === 1 && running[0] !== first ? running[0] : undefined;
    });
    expect(next).toMatch(/^replace-[a-z0-9]{5}$/);
    expect(podNames('job-name=replace')).not.toContain(first);
    expect(d.cli(['delete', 'job', 'replace']).code).toBe(0);
  });
});

describe('wait --for=finished', () => {
  it('exits 0 for a Complete Job and 1 for a Failed one, saying which', () => {
    d.cli(['apply', '-f', file('ok.yaml', jobYaml('ok', spec(['true'])))]);
    d.cli(['apply', '-f', file('bad.yaml', jobYaml('bad', spec(['false'], '  backoffLimit: 0\n')))]);
    expect(d.cli(['wait', 'job/ok', '--for=finished', '--timeout=20s'])).toMatchObject({ code: 0, stdout: 'job.batch/ok finished: Complete\n' });
    expect(d.cli(['wait', 'job/bad', '--for=finished', '--timeout=20s'])).toMatchObject({
      code: 1,
      stdout: 'job.batch/bad finished: Failed (BackoffLimitExceeded)\n',
    });
  });

  it('--for=delete returns once the Job is gone', () => {
    expect(d.cli(['delete', 'job', 'ok', '--wait=false']).code).toBe(0);
    expect(d.cli(['wait', 'job/ok', '--for=delete', '--timeout=20s'])).toMatchObject({ code: 0, stdout: 'job.batch/ok condition met\n' });
  });
});

describe('Jobs of the watched source', () => {
  it('apply of a name the source defines is refused, naming the source and manifest', async () => {
    d.writeJob('nightly.yaml', jobYaml('nightly', spec(['true'])));
    await waitFor('the source Job', () => d.job('nightly'));
    const r = d.cli(['apply', '-f', file('nightly-copy.yaml', jobYaml('nightly', spec(['true'], '  parallelism: 2\n')))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error from server (Conflict): jobs.batch "nightly" is managed by source ${d.jobsDir} (nightly.yaml:1); change the manifest there\n`);
  });

  it('delete of a source Job is not undone by the next sync', () => {
    expect(d.cli(['delete', 'job', 'nightly'])).toMatchObject({ code: 0, stdout: 'job.batch "nightly" deleted\n' });
    expect(d.cli(['sync']).code).toBe(0);
    expect(d.job('nightly')).toBeUndefined();
  });
});

describe('get --watch', () => {
  it('prints the table, then a row for each change, until interrupted', async () => {
    const proc = spawn(process.execPath, [CLI, 'get', 'jobs', '-w'], { cwd: d.dir, env: { ...process.env, GITJOBS_STATE: d.stateDir } });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      await waitFor('the initial table', () => out.startsWith('NAME '));
      d.cli(['apply', '-f', file('watched.yaml', jobYaml('watched', spec(['true'])))]);
      await waitFor('the watched Job completing', () => /^watched\s+Complete\s+1\/1/m.test(out), 20_000);
      expect(out.match(/^NAME /gm)).toHaveLength(1);
    } finally {
      proc.kill('SIGINT');
      await exited;
    }
  });
});

describe('with no daemon running', () => {
  it('a write command says so and exits 1', () => {
    const state = tempDir();
    const r = cli(['apply', '-f', 'pi.yaml'], { state, cwd: d.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no gitjobs daemon is running on state folder /);
  });

  it('a usage error exits 2 with a hint', () => {
    const r = cli(['scale', 'jobs/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: required flag(s) "replicas" not set\nSee 'gitjobs scale --help' for usage.\n`);
  });
});
