import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { condition, groupAlive, jobYaml, ROOT, startDaemon, waitFor, workloadPids, type DaemonHandle } from '../helpers/e2e.js';

// The real daemon on a temp folder, real processes, and the real CLI reading
// the SQLite file: what a user sees.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const finished = (name: string) => () => {
  const job = d!.job(name);
  return condition(job, 'Complete') || condition(job, 'Failed') ? job : undefined;
};

describe('daemon on a watched folder', () => {
  it("runs the seed's pi Job to completion and its log holds the digits of pi", async () => {
    d = await startDaemon({ files: { 'pi.yaml': readFileSync(join(ROOT, 'jobs', 'pi.yaml'), 'utf8') } });
    const job = await waitFor('pi finished', finished('pi'), 60_000);
    expect(condition(job, 'Complete')?.reason).toBe('CompletionsReached');
    expect(job.status.succeeded).toBe(1);
    const r = d.cli(['get', 'pods', '--selector=job-name=pi', '--output=jsonpath={.items[*].metadata.name}']);
    expect(r.code).toBe(0);
    const pods = r.stdout.trim().split(' ');
    expect(pods).toHaveLength(1);
    const logs = d.cli(['logs', pods[0]!]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^3\.14159265358979323846264338327950288419716939937510/);
    expect(logs.stdout.trim().length).toBeGreaterThan(2000);
    const table = d.cli(['get', 'jobs']);
    expect(table.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    expect(table.stdout).toMatch(/\npi\s+Complete\s+1\/1\s+/);
  });

  it('completions: 3 gives three succeeded pods', async () => {
    d = await startDaemon({
      files: { 'busybox.yaml': jobYaml('busybox', '  completions: 3\n  template:\n    spec:\n      containers:\n      - name: busybox\n        image: busybox\n        command: ["echo", "hello"]\n      restartPolicy: Never\n') },
    });
    const job = await waitFor('busybox finished', finished('busybox'));
    expect(condition(job, 'Complete')).toBeDefined();
    expect(job.status.succeeded).toBe(3);
    const pods = d.pods('job-name=busybox');
    expect(pods.map((p) => p.status.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    for (const p of pods) expect(d.cli(['logs', p.metadata.name]).stdout).toBe('hello\n');
  });

  it('a failing command with backoffLimit: 2 fails after 3 pods with growing gaps', async () => {
    d = await startDaemon({
      backoff: '300ms',
      extraArgs: ['--log-format', 'json'],
      files: { 'fail.yaml': jobYaml('fail', '  backoffLimit: 2\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "exit 3"]\n      restartPolicy: Never\n') },
    });
    const job = await waitFor('fail finished', finished('fail'));
    const failed = condition(job, 'Failed');
    expect(failed?.reason).toBe('BackoffLimitExceeded');
    expect(failed?.message).toBe('Job has reached the specified backoff limit');
    expect(job.status.failed).toBe(3);
    const pods = d.pods('job-name=fail');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.status.phase === 'Failed')).toBe(true);
    expect(pods[0]!.status.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);
    // API times have second precision; the daemon's log has milliseconds.
    const parse = () => d!.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { time: string; msg: string; pod?: string });
    await waitFor('three pods in the log', () => parse().filter((l) => l.msg === 'container exited').length >= 3);
    const log = parse();
    const at = (msg: string) => log.filter((l) => l.msg === msg).map((l) => Date.parse(l.time));
    const created = at('pod created');
    const exited = at('container exited');
    expect(created).toHaveLength(3);
    // Back-off: the second pod starts at least one base after the first failure, the third two bases after the second.
    const gap1 = created[1]! - exited[0]!;
    const gap2 = created[2]! - exited[1]!;
    expect(gap1).toBeGreaterThanOrEqual(250);
    expect(gap2).toBeGreaterThanOrEqual(550);
    expect(gap2).toBeGreaterThan(gap1);
    expect(d.cli(['history', 'job', 'fail']).stdout).toMatch(/\n1\s+\S+\s+new\s+.*Failed\s+BackoffLimitExceeded\s+3,3,3\s*\n$/);
    const events = d.cli(['describe', 'job', 'fail']).stdout;
    expect(events).toMatch(/Warning\s+BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
  });

  it('activeDeadlineSeconds ends a sleeping pod with DeadlineExceeded and the process is gone', async () => {
    d = await startDaemon({
      files: { 'slow.yaml': jobYaml('slow', '  activeDeadlineSeconds: 2\n  template:\n    spec:\n      terminationGracePeriodSeconds: 1\n      containers:\n      - name: c\n        command: ["sh", "-c", "sleep 60 & sleep 61; wait"]\n      restartPolicy: Never\n') },
    });
    const pgids = await waitFor('workload started', () => (workloadPids(d!.stateDir).length > 0 ? workloadPids(d!.stateDir) : undefined));
    const job = await waitFor('slow finished', finished('slow'), 20_000);
    expect(condition(job, 'Failed')?.reason).toBe('DeadlineExceeded');
    expect(condition(job, 'Failed')?.message).toBe('Job was active longer than specified deadline');
    expect(job.status.active ?? 0).toBe(0);
    for (const pgid of pgids) await waitFor(`process group ${pgid} gone`, () => !groupAlive(pgid), 5000);
  });

  it('suspend terminates the running pod without counting it, resume starts a new one and resets startTime', async () => {
    const spec = (suspend: boolean) =>
      jobYaml('myjob', `  suspend: ${suspend}\n  completions: 1\n  template:\n    spec:\n      terminationGracePeriodSeconds: 2\n      containers:\n      - name: c\n        command: ["sh", "-c", "sleep 1.5; echo done"]\n      restartPolicy: Never\n`);
    d = await startDaemon({ files: { 'myjob.yaml': spec(false) } });
    const first = await waitFor('pod running', () => {
      const job = d!.job('myjob');
      return job?.status.active === 1 ? job : undefined;
    });
    d.writeJob('myjob.yaml', spec(true));
    const suspended = await waitFor('suspended', () => {
      const job = d!.job('myjob');
      return condition(job, 'Suspended') && (job!.status.active ?? 0) === 0 && (job!.status.terminating ?? 0) === 0 ? job : undefined;
    });
    expect(condition(suspended, 'Suspended')?.reason).toBe('JobSuspended');
    expect(suspended.status.failed ?? 0).toBe(0);
    expect(d.cli(['get', 'jobs', 'myjob']).stdout).toMatch(/myjob\s+Suspended/);
    // API times have whole seconds: resume in a later second than the first start, so a reset shows.
    await waitFor('a new second', () => Date.now() >= Date.parse(first.status.startTime!) + 1000);
    const resumedAt = Date.now();
    d.writeJob('myjob.yaml', spec(false));
    const job = await waitFor('resumed and finished', finished('myjob'), 20_000);
    expect(condition(job, 'Complete')).toBeDefined();
    expect(job.status.failed ?? 0).toBe(0);
    expect(Date.parse(job.status.startTime!)).toBeGreaterThanOrEqual(Math.floor(resumedAt / 1000) * 1000);
    expect(Date.parse(job.status.startTime!)).toBeGreaterThan(Date.parse(first.status.startTime!));
    const susp = job.status.conditions!.find((c) => c.type === 'Suspended');
    expect(susp).toMatchObject({ status: 'False', reason: 'JobResumed' });
    const describe = d.cli(['describe', 'jobs/myjob']).stdout;
    expect(describe).toMatch(/Normal\s+Suspended\s+.*Job suspended/);
    expect(describe).toMatch(/Normal\s+Resumed\s+.*Job resumed/);
    expect(describe).toMatch(/Normal\s+SuccessfulDelete/);
  });

  it('ttlSecondsAfterFinished deletes the Job and its pods, and a resync does not run it again', async () => {
    d = await startDaemon({
      files: { 'ttl.yaml': jobYaml('ttl', '  ttlSecondsAfterFinished: 1\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["true"]\n      restartPolicy: Never\n') },
    });
    await waitFor('ttl completed', finished('ttl'));
    await waitFor('ttl deleted', () => d!.cli(['get', 'job', 'ttl']).code === 1);
    const r = d.cli(['get', 'job', 'ttl']);
    expect(r.stderr).toBe('Error from server (NotFound): jobs.batch "ttl" not found\n');
    expect(d.pods('job-name=ttl')).toHaveLength(0);
    // Touch the folder: the same spec must not run again.
    d.writeJob('other.yaml', jobYaml('other', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["true"]\n      restartPolicy: Never\n'));
    await waitFor('other finished', finished('other'));
    expect(d.job('ttl')).toBeUndefined();
  });

  it('an Indexed Job with 5 completions gives each pod a distinct JOB_COMPLETION_INDEX', async () => {
    d = await startDaemon({
      files: { 'indexed.yaml': jobYaml('indexed', '  completions: 5\n  parallelism: 3\n  completionMode: Indexed\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX host=$HOSTNAME"]\n      restartPolicy: Never\n') },
    });
    const job = await waitFor('indexed finished', finished('indexed'));
    expect(job.status.completedIndexes).toBe('0-4');
    expect(job.status.succeeded).toBe(5);
    const pods = d.pods('job-name=indexed');
    const outputs = pods.map((p) => d!.cli(['logs', p.metadata.name]).stdout.trim()).sort();
    expect(outputs).toEqual([0, 1, 2, 3, 4].map((i) => `index=${i} host=indexed-${i}`));
    for (const p of pods) {
      const idx = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata.labels['batch.kubernetes.io/job-completion-index']).toBe(idx);
      expect(p.metadata.name.startsWith(`indexed-${idx}-`)).toBe(true);
    }
  });

  it('a work-queue Job (parallelism without completions) completes once one pod succeeded and all ended', async () => {
    d = await startDaemon({
      files: { 'queue.yaml': jobYaml('queue', '  parallelism: 3\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "echo work; sleep 0.3"]\n      restartPolicy: Never\n') },
    });
    const job = await waitFor('queue finished', finished('queue'));
    expect(condition(job, 'Complete')).toBeDefined();
    expect(job.status.succeeded).toBe(3);
    expect(d.pods('job-name=queue')).toHaveLength(3);
    expect(d.cli(['get', 'jobs', 'queue']).stdout).toMatch(/queue\s+Complete\s+3\/1 of 3/);
  });

  it('a broken manifest is reported with file:line and does not stop the other Jobs', async () => {
    d = await startDaemon({
      files: {
        'bad.yaml': jobYaml('bad', '  template:\n    spec:\n      containers:\n      - name: c\n        image: busybox\n      restartPolicy: Never\n'),
        'good.yaml': jobYaml('good', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["true"]\n      restartPolicy: Never\n'),
      },
    });
    await waitFor('good finished', finished('good'));
    await waitFor('bad.yaml reported', () => /bad\.yaml:\d+:\d+: spec\.template\.spec\.containers\[0\]\.command/.test(d!.log()));
    expect(d.job('bad')).toBeUndefined();
    const sources = d.cli(['get', 'sources', '-o', 'json']);
    expect(sources.stdout).toContain('containers[0].command');
  });

  it('OnFailure restarts the container in place and counts restarts toward backoffLimit', async () => {
    d = await startDaemon({
      backoff: '100ms',
      extraArgs: ['--log-format', 'json'],
      files: { 'flaky.yaml': jobYaml('flaky', '  backoffLimit: 2\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "echo try; exit 1"]\n      restartPolicy: OnFailure\n') },
    });
    const job = await waitFor('flaky finished', finished('flaky'), 20_000);
    expect(condition(job, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    expect(job.status.failed).toBe(1);
    // One pod, its container run three times; the failed Job's pod was then deleted, as Kubernetes does.
    // The daemon's log arrives through a pipe, so wait for it rather than read it once.
    const parse = () => d!.log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; pod?: string });
    await waitFor('three container runs', () => parse().filter((l) => l.msg === 'container exited').length >= 3);
    const created = parse().filter((l) => l.msg === 'pod created');
    expect(created).toHaveLength(1);
    const runs = parse().filter((l) => l.msg === 'container exited');
    expect(runs).toHaveLength(3);
    expect(runs.every((l) => l.pod === `default/${created[0]!.pod}`)).toBe(true);
    expect(d.pods('job-name=flaky')).toHaveLength(0);
    expect(d.cli(['describe', 'job', 'flaky']).stdout).toMatch(/Normal\s+SuccessfulDelete\s+.*Deleted pod: flaky-/);
  });

  it('logs --timestamps shows when each line was written, and --since filters by it', async () => {
    d = await startDaemon({
      files: { 'ts.yaml': jobYaml('ts', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "echo early; sleep 1.2; echo late"]\n      restartPolicy: Never\n') },
    });
    await waitFor('ts finished', finished('ts'));
    const pod = d.pods('job-name=ts')[0]!.metadata.name;
    const r = d.cli(['logs', pod, '--timestamps']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const [t1, l1] = lines[0]!.split(' ');
    const [t2, l2] = lines[1]!.split(' ');
    expect([l1, l2]).toEqual(['early', 'late']);
    expect(t1).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(Date.parse(t2!) - Date.parse(t1!)).toBeGreaterThanOrEqual(1000);
    // --since counts back from now: the late line only, if asked right after it.
    const sinceMs = Date.now() - Date.parse(t1!) - 500;
    const recent = d.cli(['logs', pod, `--since=${Math.max(1, Math.floor(sinceMs))}ms`]);
    expect(recent.stdout).toBe('late\n');
  });
});
