import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../helpers/e2e.js';
import { PYTHON, startApiDaemon, type ApiDaemon } from '../helpers/api.js';

// The official Python client (Debian's python3-kubernetes), with the
// kubeconfig `gitjobs kubeconfig` prints.

let d: ApiDaemon;
beforeAll(async () => {
  d = await startApiDaemon();
});
afterAll(async () => {
  await d?.cleanup();
});

function python(script: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ['-c', `from kubernetes import client, config, watch\nconfig.load_kube_config(${JSON.stringify(d.kubeconfig)})\n${script}`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

it('BatchV1Api creates, lists, reads status and deletes with a propagation policy; CoreV1Api reads the log; Watch streams the Job', async () => {
  const r = python(`
import json, sys
batch = client.BatchV1Api()
core = client.CoreV1Api()
job = client.V1Job(
    metadata=client.V1ObjectMeta(name="py", labels={"from": "python"}),
    spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
        restart_policy="Never",
        containers=[client.V1Container(name="main", image="busybox", command=["sh", "-c", "echo hello from python"])]))))
created = batch.create_namespaced_job("default", job)
print("created", created.metadata.name, created.metadata.uid != None)
seen = []
w = watch.Watch()
for ev in w.stream(batch.list_namespaced_job, namespace="default", label_selector="from=python", timeout_seconds=20):
    o = ev["object"]
    seen.append(ev["type"])
    if o.status.succeeded == 1:
        w.stop()
print("watch", seen[0], "succeeded")
names = [j.metadata.name for j in batch.list_namespaced_job("default").items]
print("list", names)
status = batch.read_namespaced_job_status("py", "default")
print("status", status.status.succeeded, [c.type for c in status.status.conditions if c.status == "True"])
pods = core.list_namespaced_pod("default", label_selector="job-name=py").items
print("log", repr(core.read_namespaced_pod_log(pods[0].metadata.name, "default")))
batch.delete_namespaced_job("py", "default", propagation_policy="Foreground")
try:
    batch.read_namespaced_job("nope", "default")
except client.exceptions.ApiException as e:
    print("missing", e.status, json.loads(e.body)["reason"])
`);
  expect(r.stderr).toBe('');
  const lines = r.stdout.split('\n');
  expect(lines).toContain('created py True');
  expect(lines).toContain('watch ADDED succeeded');
  expect(lines).toContain("list ['py']");
  expect(lines).toContain("status 1 ['SuccessCriteriaMet', 'Complete']");
  expect(lines).toContain("log 'hello from python\\n'");
  expect(lines).toContain('missing 404 NotFound');
  // Foreground: the Job goes once its pods have.
  await waitFor('py gone', () => d.job('py') === undefined);
  expect(d.pods('job-name=py')).toEqual([]);
});
