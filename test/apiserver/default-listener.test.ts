import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobYaml, waitFor } from '../helpers/e2e.js';
import { KUBECTL, PYTHON, startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// The daemon as `npm start` runs it, no TLS flags: one loopback port that
// kubectl reaches over https (with the certificate the daemon made) and
// curl, scripts and the console reach over plain http.

const hello = jobYaml('hello', '  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n        command: ["sh", "-c", "echo hello over tls"]\n');

describe('default listener', () => {
  let d: ApiDaemon;
  beforeAll(async () => {
    d = await startApiDaemon({ files: { 'hello.yaml': hello } });
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it('gitjobs kubeconfig prints the https address with the daemon certificate as CA, and no warning', () => {
    const r = d.cli(['kubeconfig']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const cluster = (parse(r.stdout) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]!.cluster;
    expect(cluster.server).toBe(d.url.replace('http:', 'https:'));
    expect(Buffer.from(cluster['certificate-authority-data']!, 'base64').toString()).toBe(readFileSync(join(d.stateDir, 'api-tls.crt'), 'utf8'));
  });

  it('kubectl with that kubeconfig and no other flag gets jobs, pods and logs', async () => {
    await waitFor('hello complete', () => d.job('hello')?.status.succeeded === 1);
    const env = { ...process.env, HOME: d.dir };
    const kubectl = (args: string[]) => spawnSync(KUBECTL, ['--kubeconfig', d.kubeconfig, ...args], { env, encoding: 'utf8', timeout: 30_000 });
    const jobs = kubectl(['get', 'jobs']);
    expect(jobs.stderr).toBe('');
    expect(jobs.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nhello\s+Complete\s+1\/1\s/);
    const pods = kubectl(['get', 'pods', '--selector=job-name=hello', '--output=jsonpath={.items..metadata.name}']);
    expect(pods.stdout).toMatch(/^hello-\w+$/);
    expect(kubectl(['logs', `pods/${pods.stdout}`]).stdout).toBe('hello over tls\n');
    expect(kubectl(['logs', 'job/hello']).stdout).toBe('hello over tls\n');
  });

  it('plain http on the same port takes the token: curl and Python', () => {
    const curl = spawnSync('curl', ['-s', '-H', `Authorization: Bearer ${d.readToken}`, `${d.url}/apis/batch/v1/namespaces/default/jobs/hello`], { encoding: 'utf8' });
    expect(JSON.parse(curl.stdout)).toMatchObject({ kind: 'Job', metadata: { name: 'hello' } });
    const refused = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${d.url}/apis/batch/v1/jobs`], { encoding: 'utf8' });
    expect(refused.stdout).toBe('401');
    const py = spawnSync(
      PYTHON,
      ['-c', 'import json, sys, urllib.request\nr = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})\nprint(json.load(urllib.request.urlopen(r))["items"][0]["metadata"]["name"])', `${d.url}/apis/batch/v1/jobs`, d.token],
      { encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    expect(py.stdout).toBe('hello\n');
  });

  it('curl over https trusts the daemon certificate for 127.0.0.1 and localhost', () => {
    const ca = join(d.dir, 'ca.crt');
    writeFileSync(ca, d.certificate);
    for (const host of ['127.0.0.1', 'localhost']) {
      const url = d.httpsUrl.replace('127.0.0.1', host) + '/version';
      const r = spawnSync('curl', ['-s', '--cacert', ca, '-H', `Authorization: Bearer ${d.readToken}`, url], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toHaveProperty('gitVersion');
    }
  });
});

describe('listener with --tls-cert/--tls-key', () => {
  let d: ApiDaemon;
  beforeAll(async () => {
    d = await startApiDaemon({ userCertificate: true });
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  it('serves TLS only, with the given certificate, which the kubeconfig names as CA', () => {
    expect(d.url).toMatch(/^https:/);
    expect(d.certificate).toBe(readFileSync(join(d.dir, 'tls.crt'), 'utf8'));
    const kc = parse(readFileSync(d.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
    expect(Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString()).toBe(d.certificate);
    const r = d.kubectl(['get', 'jobs']);
    expect([r.code, r.stderr]).toEqual([0, 'No resources found in default namespace.\n']);
    const plain = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${d.url.replace('https:', 'http:')}/version`], { encoding: 'utf8' });
    expect(plain.stdout).not.toBe('200');
  });
});
