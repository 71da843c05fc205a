import { afterEach, describe, expect, it } from 'vitest';
import { condition, jobYaml, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const complete = (name: string) => () => {
  const j = d!.job(name);
  return condition(j, 'Complete') ? j : undefined;
};

describe('run history', () => {
  it('rerun starts a fresh run with a new uid; history lists both and past logs stay readable', async () => {
    d = await startDaemon({
      files: { 'hello.yaml': jobYaml('hello', '  template:\n    spec:\n      containers:\n      - name: c\n        command: ["sh", "-c", "echo run-$(date +%s%N)"]\n      restartPolicy: Never\n') },
    });
    const first = await waitFor('first run complete', complete('hello'));
    const r = d.cli(['rerun', 'job', 'hello']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^job\.batch\/hello rerun \(uid [0-9a-f-]{36}\)\n$/);
    const second = await waitFor('second run complete', () => {
      const j = complete('hello')();
      return j && j.metadata.uid !== first.metadata.uid ? j : undefined;
    });
    expect(second.metadata.labels['controller-uid']).toBe(second.metadata.uid);
    const history = d.cli(['history', 'job', 'hello']);
    expect(history.code).toBe(0);
    const rows = history.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^RUN\s+UID\s+TRIGGER\s+REVISION\s+STARTED\s+DURATION\s+RESULT\s+REASON\s+EXIT CODES\s+DELETED$/);
    expect(rows[1]).toMatch(new RegExp(`^1\\s+${first.metadata.uid.slice(0, 8)}\\s+new\\s+.*Complete\\s+CompletionsReached\\s+0\\s+rerun$`));
    expect(rows[2]).toMatch(new RegExp(`^2\\s+${second.metadata.uid.slice(0, 8)}\\s+rerun\\s+.*Complete\\s+CompletionsReached\\s+0\\s*$`));
    const log1 = d.cli(['logs', 'job/hello', '--run', '1']).stdout;
    const log2 = d.cli(['logs', 'job/hello', '--run', '2']).stdout;
    expect(log1).toMatch(/^run-\d+\n$/);
    expect(log2).toMatch(/^run-\d+\n$/);
    expect(log1).not.toBe(log2);
    expect(d.cli(['logs', 'job/hello', '--run', '3']).stderr).toContain('has 2 run(s); there is no run 3');
  });

  it("a Job deleted by its TTL keeps its run record and its logs", async () => {
    d = await startDaemon({
      files: { 'brief.yaml': jobYaml('brief', '  ttlSecondsAfterFinished: 0\n  template:\n    spec:\n      containers:\n      - name: c\n        command: ["echo", "still here"]\n      restartPolicy: Never\n') },
    });
    await waitFor('brief deleted', () => d!.cli(['history', 'job', 'brief']).stdout.includes('ttl-after-finished-controller'));
    expect(d.job('brief')).toBeUndefined();
    expect(d.cli(['history', 'job', 'brief']).stdout).toMatch(/\n1\s+\S+\s+new\s+.*Complete\s+CompletionsReached\s+0\s+ttl-after-finished-controller\n$/);
    expect(d.cli(['logs', 'job/brief', '--run', '1']).stdout).toBe('still here\n');
  });

  it('rerun of an unknown Job is NotFound and needs the daemon', async () => {
    d = await startDaemon();
    const r = d.cli(['rerun', 'job', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): jobs.batch "nope" not found\n');
    await d.stop();
    const down = d.cli(['rerun', 'job', 'nope']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/no gitjobs daemon is running on state folder/);
  });
});
