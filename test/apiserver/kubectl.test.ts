import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobYaml, waitFor } from '../helpers/e2e.js';
import { startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// The commands of the Kubernetes Job documentation, run by the real kubectl
// against the daemon with the kubeconfig `gitjobs kubeconfig` prints.

const spec = (command: string[], extra = ''): string => `${extra}  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: ${JSON.stringify(command)}
`;

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon({ files: { 'from-git.yaml': jobYaml('from-source', spec(['echo', 'source'])) } });
});
afterAll(async () => {
  await d?.cleanup();
});

function file(name: string, text: string): string {
  const p = join(d.dir, name);
  writeFileSync(p, text);
  return p;
}

function ok(args: string[], input?: string): string {
  const r = d.kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * kubectl's table equals the CLI's for the same state, read just before or
 * just after. Ages tick each second at each object's own phase, so a read
 * that straddles a tick is taken again.
 */
function sameAsCli(kubectlArgs: string[], cliArgs: string[]): void {
  let got = '';
  let before = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    before = d.cli(cliArgs).stdout;
    got = ok(kubectlArgs);
    const after = d.cli(cliArgs).stdout;
    if (got === before || got === after) return;
  }
  expect(got).toBe(before);
}

const complete = (name: string) => (): boolean => d.job(name)?.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true;

describe('kubectl against the daemon', () => {
  it('apply -f creates a Job that runs; get, logs and describe show it as the CLI does', async () => {
    const pi = file('pi.yaml', jobYaml('pi', spec(['perl', '-e', 'print "3.14159\\n"'].map((s) => s).slice(0, 0).concat(['sh', '-c', 'echo 3.14159']), '  backoffLimit: 4\n')));
    expect(ok(['apply', '-f', pi])).toBe('job.batch/pi created\n');
    await waitFor('pi complete', complete('pi'));
    expect(ok(['apply', '-f', pi])).toBe('job.batch/pi unchanged\n');
    const names = ok(['get', 'pods', '--selector=job-name=pi', '--output=jsonpath={.items..metadata.name}']);
    expect(names).toMatch(/^pi-[a-z0-9]{5}$/);
    expect(ok(['logs', `pods/${names}`])).toBe('3.14159\n');
    expect(ok(['logs', 'job/pi'])).toBe('3.14159\n');
    sameAsCli(['get', 'jobs'], ['get', 'jobs']);
    sameAsCli(['get', 'jobs', '-o', 'wide'], ['get', 'jobs', '-o', 'wide']);
    sameAsCli(['get', 'pods'], ['get', 'pods']);
    sameAsCli(['get', 'pods', '-o', 'wide'], ['get', 'pods', '-o', 'wide']);
    sameAsCli(['get', 'events'], ['get', 'events']);
    sameAsCli(['get', 'jobs', '-A', '--show-labels'], ['get', 'jobs', '-A', '--show-labels']);
    const describe = ok(['describe', 'jobs/pi']);
    expect(describe).toMatch(/^Name:\s+pi$/m);
    expect(describe).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);
    expect(describe).toMatch(/SuccessfulCreate\s+.*Created pod: pi-/);
    expect(JSON.parse(ok(['get', 'job', 'pi', '-o', 'json'])).status.succeeded).toBe(1);
  });

  it('create -f refuses an existing Job with AlreadyExists, and refuses an invalid one naming the field', () => {
    const again = file('again.yaml', jobYaml('again', spec(['true'])));
    expect(ok(['create', '-f', again])).toBe('job.batch/again created\n');
    const r = d.kubectl(['create', '-f', again]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(r.stderr).toContain('jobs.batch "again" already exists');
    const bad = file('bad.yaml', jobYaml('bad', spec(['true'], '  parallelism: -1\n')));
    const b = d.kubectl(['create', '-f', bad]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('The Job "bad" is invalid: spec.parallelism: Invalid value: -1: must be greater than or equal to 0');
  });

  it('diff -f shows a change without making it; patch makes it; an immutable change is refused', async () => {
    const text = jobYaml('patched', spec(['sleep', '30'], '  backoffLimit: 4\n'));
    const p = file('patched.yaml', text);
    ok(['apply', '-f', p]);
    const changed = file('patched2.yaml', text.replace('backoffLimit: 4', 'backoffLimit: 5'));
    const diff = d.kubectl(['diff', '-f', changed]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-  backoffLimit: 4$/m);
    expect(diff.stdout).toMatch(/^\+  backoffLimit: 5$/m);
    expect(JSON.parse(ok(['get', 'job', 'patched', '-o', 'json'])).spec.backoffLimit).toBe(4);
    expect(ok(['apply', '-f', changed])).toBe('job.batch/patched configured\n');
    expect(JSON.parse(d.cli(['get', 'job', 'patched', '-o', 'json']).stdout).spec.backoffLimit).toBe(5);
    expect(ok(['patch', 'job', 'patched', '-p', '{"spec":{"suspend":true}}'])).toBe('job.batch/patched patched\n');
    expect(ok(['patch', 'job', 'patched', '--type=json', '-p', '[{"op":"replace","path":"/spec/parallelism","value":2}]'])).toBe('job.batch/patched patched\n');
    expect(ok(['patch', 'job', 'patched', '--type=merge', '-p', '{"metadata":{"labels":{"team":"a"}}}'])).toBe('job.batch/patched patched\n');
    const cli = JSON.parse(d.cli(['get', 'job', 'patched', '-o', 'json']).stdout);
    expect([cli.spec.suspend, cli.spec.parallelism, cli.metadata.labels.team]).toEqual([true, 2, 'a']);
    const immutable = d.kubectl(['patch', 'job', 'patched', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"pi","image":"other"}]}}}}']);
    expect(immutable.code).toBe(1);
    expect(immutable.stderr).toContain('spec.template: Invalid value');
    expect(immutable.stderr).toContain('field is immutable');
    expect(ok(['delete', 'job', 'patched'])).toBe('job.batch "patched" deleted\n');
    await waitFor('patched gone', () => d.job('patched') === undefined);
  });

  it('a Job from the source refuses kubectl apply with Conflict naming the manifest file:line', async () => {
    await waitFor('from-source created', () => d.job('from-source'));
    const mine = file('mine.yaml', jobYaml('from-source', spec(['echo', 'mine'])));
    const r = d.kubectl(['apply', '-f', mine]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Conflict)');
    expect(r.stderr).toContain('jobs.batch "from-source" is managed by source');
    expect(r.stderr).toContain('from-git.yaml:1');
  });

  it('explain job.spec reads the served OpenAPI', () => {
    const out = ok(['explain', 'job.spec']);
    expect(out).toMatch(/^KIND:\s+Job$/m);
    expect(out).toMatch(/^VERSION:\s+v1$/m);
    expect(out).toMatch(/^\s+backoffLimit\s+<integer>$/m);
    expect(out).toMatch(/^\s+template\s+<PodTemplateSpec>/m);
  });

  it('delete pod stops it as gitjobs delete pod does: the Job makes a replacement', async () => {
    ok(['apply', '-f', file('long.yaml', jobYaml('long', spec(['sleep', '60'])))]);
    const first = await waitFor('a running pod of long', () => d.pods('job-name=long').find((p) => p.status.phase === 'Running')?.metadata.name);
    expect(ok(['delete', 'pod', first, '--wait=false'])).toBe(`pod "${first}" deleted\n`);
    await waitFor('a replacement pod', () => d.pods('job-name=long').some((p) => p.metadata.name !== first));
    ok(['delete', 'job', 'long', '--cascade=foreground', '--wait=false']);
    await waitFor('long gone', () => d.job('long') === undefined);
  });

  it('get -w prints each change as it commits; wait --for=condition and --for=jsonpath return once it holds; logs -f follows to the end', async () => {
    const watch = d.kubectlAsync(['get', 'jobs', '-w', '--selector=watched=yes']);
    const podWatch = d.kubectlAsync(['get', 'pods', '-w', '--selector=job-name=slow', '--output-watch-events']);
    const slow = file('slow.yaml', jobYaml('slow', spec(['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done']), '  labels:\n    watched: "yes"\n'));
    ok(['apply', '-f', slow]);
    const follow = d.kubectlAsync(['logs', '-f', 'job/slow']);
    const waited = d.kubectlAsync(['wait', '--for=condition=complete', 'job/slow', '--timeout=30s']);
    const byPath = d.kubectlAsync(['wait', '--for=jsonpath={.status.succeeded}=1', 'job/slow', '--timeout=30s']);
    expect((await waited.done).stdout).toBe('job.batch/slow condition met\n');
    expect((await byPath.done).stdout).toBe('job.batch/slow condition met\n');
    const logs = await follow.done;
    expect(logs.stdout).toBe('line 1\nline 2\nline 3\n');
    await waitFor('the watch saw slow complete', () => /^slow\s+Complete\s+1\/1/m.test(watch.output()));
    expect(watch.output()).toMatch(/^slow\s+Running\s+0\/1/m);
    ok(['delete', 'job', 'slow']);
    await waitFor('the pod watch saw the pod deleted', () => /^DELETED\s+slow-[a-z0-9]{5}\s/m.test(podWatch.output()));
    expect(podWatch.output()).toMatch(/^ADDED\s+slow-[a-z0-9]{5}\s/m);
    watch.kill();
    podWatch.kill();
  });

  it('a kubeconfig with the read-only token reads, and writes answer Forbidden', () => {
    const ro = d.cli(['kubeconfig', '--read-only']);
    expect(ro.code).toBe(0);
    expect(ro.stdout).toContain('certificate-authority-data:');
    expect(ro.stdout).toContain(d.readToken);
    const path = file('ro.yaml', ro.stdout);
    expect(ok(['--kubeconfig', path, 'get', 'jobs', 'pi', '-o', 'name'])).toBe('job.batch/pi\n');
    const r = d.kubectl(['--kubeconfig', path, 'delete', 'job', 'pi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(d.job('pi')).toBeDefined();
  });
});
