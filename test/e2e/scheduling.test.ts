import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, condition, startDaemon, tempDir, waitFor, type DaemonHandle, type JobJson } from '../helpers/e2e.js';

// Admission of pods against the node's allocatable CPU, with a real daemon
// started with `--node-cpu 2`. Every pod appends its start and end (in
// nanoseconds, from inside the workload) to a shared log: the recorded spans
// lie within the pods' real run times, so they show how many ran at once.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const NODE = ['--node-cpu', '2'];
const INSUFFICIENT_CPU = '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..';

/** A Job whose pods request `cpu` and run `body` between their logged start and end. */
function cpuJob(name: string, o: { parallelism: number; completions: number; cpu: string; body: string; log: string }): string {
  const script = `echo "start ${name} $(date +%s%N)" >> ${o.log}; ${o.body}; echo "end ${name} $(date +%s%N)" >> ${o.log}`;
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  parallelism: ${o.parallelism}`,
    `  completions: ${o.completions}`,
    '  backoffLimit: 0',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '      - name: c',
    '        image: busybox',
    `        command: ["sh", "-c", ${JSON.stringify(script)}]`,
    `        resources: {requests: {cpu: "${o.cpu}"}}`,
  ].join('\n') + '\n';
}

interface Span {
  job: string;
  start: bigint;
  end: bigint;
}

/** Pairs each start with an end of the same Job (pods of one Job are alike, so any pairing gives the same overlap). */
function spans(log: string): { spans: Span[]; events: { job: string; kind: 'start' | 'end'; t: bigint }[] } {
  const events = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [kind, job, t] = l.split(' ') as ['start' | 'end', string, string];
      return { kind, job, t: BigInt(t) };
    })
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  const open = new Map<string, bigint[]>();
  const out: Span[] = [];
  for (const e of events) {
    if (e.kind === 'start') open.set(e.job, [...(open.get(e.job) ?? []), e.t]);
    else out.push({ job: e.job, start: open.get(e.job)!.shift()!, end: e.t });
  }
  return { spans: out, events };
}

/** The most pods that were running at the same instant, by the recorded starts and ends. */
function maxOverlap(log: string): number {
  let running = 0;
  let most = 0;
  for (const e of spans(log).events) {
    running += e.kind === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

async function complete(name: string, completions: number): Promise<JobJson> {
  return waitFor(`${name} Complete`, () => {
    const job = d!.job(name);
    if (condition(job, 'Failed')) throw new Error(`job failed: ${JSON.stringify(job!.status)}`);
    return condition(job, 'Complete') && job!.status.succeeded === completions ? job : undefined;
  }, 60_000);
}

describe('pods admitted against the node (--node-cpu)', () => {
  it('a Job with parallelism 6 and cpu: 1 on two CPUs runs 2 pods at a time; the others are Pending with the reason in describe', async () => {
    d = await startDaemon({ extraArgs: NODE });
    const log = join(d.dir, 'spans.log');
    const go = join(d.dir, 'go');
    d.writeJob('wide.yaml', cpuJob('wide', { parallelism: 6, completions: 6, cpu: '1', body: `while [ ! -e ${go} ]; do sleep 0.05; done; sleep 0.2`, log }));
    const pods = await waitFor('2 running, 4 waiting', () => {
      const all = d!.pods('job-name=wide');
      const phases = all.map((p) => p.status.phase).sort().join(',');
      return phases === 'Pending,Pending,Pending,Pending,Running,Running' ? all : undefined;
    });
    const waiting = pods.find((p) => p.status.phase === 'Pending')!.metadata.name;

    const get = d.cli(['get', 'pods', waiting]);
    expect(get.stdout).toMatch(new RegExp(`^${waiting}\\s+0/1\\s+Pending\\s+0\\s+`, 'm'));
    const describe = d.cli(['describe', 'pod', waiting]).stdout;
    expect(describe).toMatch(/^Status:\s+Pending$/m);
    expect(describe).toMatch(/^Conditions:\n\s+Type\s+Status\n\s+PodScheduled\s+False\s*$/m);
    expect(describe).toMatch(new RegExp(`Warning\\s+FailedScheduling\\s+\\S+\\s+default-scheduler\\s+${INSUFFICIENT_CPU.replace(/[.]/g, '\\.')}`));
    // The Job counts its waiting pods as active, as Kubernetes does.
    expect(d.cli(['describe', 'job', 'wide']).stdout).toMatch(/^Pods Statuses:\s+6 Active \(2 Ready\) \/ 0 Succeeded \/ 0 Failed$/m);

    writeFileSync(go, '');
    await complete('wide', 6);
    expect(maxOverlap(log)).toBe(2);
    // The pod that waited ran like any other: scheduled, then Succeeded.
    const after = JSON.parse(d.cli(['get', 'pod', waiting, '-o', 'json']).stdout) as { status: { phase: string; conditions: { type: string; status: string }[] } };
    expect(after.status.phase).toBe('Succeeded');
    expect(after.status.conditions.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  });

  it('two Jobs submitted at once share the node: each makes progress before the other finishes', async () => {
    const dir = tempDir();
    const log = join(dir, 'spans.log');
    const spec = (name: string) => cpuJob(name, { parallelism: 4, completions: 4, cpu: '1', body: 'sleep 0.3', log });
    d = await startDaemon({ dir, extraArgs: NODE, files: { 'a.yaml': spec('a'), 'b.yaml': spec('b') } });
    await complete('a', 4);
    await complete('b', 4);
    const s = spans(log).spans;
    const firstEnd = (job: string) => s.filter((x) => x.job === job).reduce((m, x) => (x.end < m ? x.end : m), s[0]!.end * 2n);
    const lastEnd = (job: string) => s.filter((x) => x.job === job).reduce((m, x) => (x.end > m ? x.end : m), 0n);
    expect(firstEnd('b')).toBeLessThan(lastEnd('a'));
    expect(firstEnd('a')).toBeLessThan(lastEnd('b'));
    expect(maxOverlap(log)).toBeLessThanOrEqual(2);
  });

  it('a pod requesting more than the node stays Pending with Insufficient cpu; its Job does not fail and other Jobs still run', async () => {
    d = await startDaemon({ extraArgs: NODE });
    const log = join(d.dir, 'spans.log');
    d.writeJob('huge.yaml', cpuJob('huge', { parallelism: 1, completions: 1, cpu: '3', body: 'true', log }));
    const pod = await waitFor('huge pod unschedulable', () => {
      const p = d!.pods('job-name=huge')[0];
      return p !== undefined && d!.cli(['describe', 'pod', p.metadata.name]).stdout.includes('FailedScheduling') ? p : undefined;
    });
    d.writeJob('small.yaml', cpuJob('small', { parallelism: 2, completions: 4, cpu: '1', body: 'true', log }));
    await complete('small', 4);

    const describe = d.cli(['describe', 'pod', pod.metadata.name]).stdout;
    expect(describe).toMatch(/^Status:\s+Pending$/m);
    expect(describe).toContain('0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..');
    // One event, not one per pass: the message never changed.
    expect(describe.match(/FailedScheduling/g)).toHaveLength(1);
    const job = d.job('huge')!;
    expect(job.status.conditions ?? []).toEqual([]);
    expect(job.status.active).toBe(1);
    expect(spans(log).spans.some((x) => x.job === 'huge')).toBe(false);
  });

  it('after a SIGKILL of the daemon, running pods keep their CPUs and the waiting pods are admitted as they free, each counted once', async () => {
    d = await startDaemon({ extraArgs: NODE });
    const log = join(d.dir, 'spans.log');
    const go = join(d.dir, 'go');
    d.writeJob('survive.yaml', cpuJob('survive', { parallelism: 4, completions: 4, cpu: '1', body: `while [ ! -e ${go} ]; do sleep 0.05; done`, log }));
    const phases = () => d!.pods('job-name=survive').map((p) => p.status.phase).sort().join(',');
    await waitFor('2 running, 2 waiting', () => phases() === 'Pending,Pending,Running,Running');
    await d.stop('SIGKILL');

    const dir = d.dir;
    d = await startDaemon({ dir, extraArgs: NODE });
    // The new daemon has recovered before it is ready: the pods it re-attached to hold both CPUs.
    expect(phases()).toBe('Pending,Pending,Running,Running');
    writeFileSync(go, '');
    const job = await complete('survive', 4);
    expect(job.status.failed ?? 0).toBe(0);
    expect(d.pods('job-name=survive').filter((p) => p.status.phase === 'Succeeded')).toHaveLength(4);
    expect(maxOverlap(log)).toBe(2);
    expect(spans(log).spans).toHaveLength(4);
  });

  it('the downward API reports the declared node: an unset limit is --node-cpu and --node-memory', async () => {
    d = await startDaemon({ extraArgs: ['--node-cpu', '3', '--node-memory', '1Gi'] });
    d.writeJob(
      'node.yaml',
      [
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata:',
        '  name: node',
        'spec:',
        '  template:',
        '    spec:',
        '      restartPolicy: Never',
        '      containers:',
        '      - name: c',
        '        image: busybox',
        '        command: ["sh", "-c", "echo cpu=$CPU memory=$MEMORY"]',
        '        env:',
        '        - {name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}',
        '        - {name: MEMORY, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}',
      ].join('\n') + '\n',
    );
    await complete('node', 1);
    expect(d.cli(['logs', 'job/node']).stdout).toBe('cpu=3 memory=1024\n');
  });

  it('a malformed --node-cpu, --node-memory or --node-max-pods is a usage error', () => {
    const state = tempDir();
    for (const [flag, value] of [['--node-cpu', 'two'], ['--node-cpu', '0'], ['--node-memory', 'lots'], ['--node-max-pods', '0']] as const) {
      const r = cli(['daemon', '--state', state, flag, value]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    rmSync(state, { recursive: true, force: true });
  });
});
