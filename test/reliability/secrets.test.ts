// Secrets from the local secrets folder: delivered to the pod through its
// environment only, and found nowhere else a user or another process can look.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { hasCondition } from './harness.js';

const CANARY = 'canary-123';

/** A Job whose container runs `sh -c SCRIPT` with extra container fields (env, envFrom, args) as YAML lines. */
function secretJob(name: string, script: string, extra: string): string {
  return (
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n` +
    `      terminationGracePeriodSeconds: 1\n      containers:\n      - name: c\n        image: busybox\n        command: ["sh", "-c", ${JSON.stringify(script)}]\n${extra}`
  );
}

interface PodView {
  metadata: { name: string };
  status: { phase: string; containerStatuses?: { state: { waiting?: { reason: string; message?: string } } }[] };
}

function podOf(d: DaemonHandle, job: string): PodView | undefined {
  const r = d.cli(['get', 'pods', '-l', `job-name=${job}`, '-o', 'json']);
  return (JSON.parse(r.stdout) as { items: PodView[] }).items[0];
}

function waiting(d: DaemonHandle, job: string): { reason: string; message?: string } | undefined {
  return podOf(d, job)?.status.containerStatuses?.[0]?.state.waiting;
}

/** Every file under dir, recursively, except the folders named in skip. */
function filesUnder(dir: string, skip: Set<string>): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip.has(p)) continue;
    if (e.isDirectory()) out.push(...filesUnder(p, skip));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Command lines of every process on the machine that contain text. */
function cmdlinesWith(text: string): string[] {
  return procFilesWith('cmdline', text);
}

function procFilesWith(file: 'cmdline' | 'environ', text: string): string[] {
  const hits: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/${file}`, 'latin1');
      if (cmd.includes(text)) hits.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
    } catch {
      // exited while we looked
    }
  }
  return hits;
}

describe('secrets from the secrets folder', () => {
  let d: DaemonHandle;
  let secrets: string;

  /** Writes a key the way an operator should: folders 0700, file 0600, value without a newline. */
  function putSecret(name: string, key: string, value: string, mode = 0o600): string {
    const folder = join(secrets, 'default', name);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const file = join(folder, key);
    writeFileSync(file, value, { mode });
    chmodSync(file, mode);
    return file;
  }

  beforeAll(async () => {
    d = await startDaemon();
    secrets = join(d.stateDir, 'secrets');
  });
  afterAll(async () => {
    await d.cleanup();
  });

  it('the daemon creates the default secrets folder closed to group and others', () => {
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    expect(d.log()).toContain(secrets);
  });

  it('a canary secret reaches the pod and appears nowhere else: argv, log, events, describe, get, the database files', async () => {
    putSecret('db', 'password', CANARY);
    const gate = join(d.dir, 'gate');
    // What the pod compares with comes from a file outside the state folder: the manifest (stored) and argv stay clean.
    const expected = join(d.dir, 'expected');
    writeFileSync(expected, CANARY);
    // The pod waits for the gate so that every process can be scanned while it runs; it never prints the value.
    const script = `while [ ! -e ${gate} ]; do sleep 0.05; done; want=$(cat ${expected}); [ "$SECRET" = "$want" ] && [ "$DB_password" = "$want" ] && [ "$DSN" = "u:$want@h" ]`;
    d.writeJob(
      'canary.yaml',
      secretJob(
        'canary',
        script,
        '        env:\n        - name: SECRET\n          valueFrom: {secretKeyRef: {name: db, key: password}}\n' +
          '        - name: DSN\n          value: "u:$(SECRET)@h"\n' +
          '        envFrom:\n        - secretRef: {name: db}\n          prefix: DB_\n',
      ),
    );
    await waitFor('the canary pod running', () => podOf(d, 'canary')?.status.phase === 'Running');
    expect(cmdlinesWith(CANARY)).toEqual([]);
    // The same scan over environments finds it: the value is there, and only there.
    expect(procFilesWith('environ', CANARY).length).toBeGreaterThan(0);

    writeFileSync(gate, '');
    // Complete proves delivery: the pod exits 0 only when both variables hold the value.
    await waitFor('the canary Job complete', () => hasCondition(d.stateDir, 'canary', 'Complete'), 20_000);

    const pod = podOf(d, 'canary')!.metadata.name;
    const outputs: Record<string, string> = {
      'daemon log': d.log(),
      'get events -o yaml': d.cli(['get', 'events', '-o', 'yaml']).stdout,
      'describe pod': d.cli(['describe', 'pod', pod]).stdout,
      'describe job': d.cli(['describe', 'job', 'canary']).stdout,
      'get job -o yaml': d.cli(['get', 'job', 'canary', '-o', 'yaml']).stdout,
      'get pods -o json': d.cli(['get', 'pods', '-o', 'json']).stdout,
    };
    for (const [what, text] of Object.entries(outputs)) {
      expect(text.length, what).toBeGreaterThan(0);
      expect(text.includes(CANARY), what).toBe(false);
    }
    // describe says where the value comes from, as kubectl does.
    expect(outputs['describe pod']).toMatch(/SECRET:\s+<set to the key 'password' in secret 'db'>\s+Optional: false/);
    expect(outputs['describe pod']).toMatch(/Environment Variables from:\n\s+db\s+Secret with prefix 'DB_'\s+Optional: false/);

    // Every byte the daemon keeps: the database, its -wal and -shm, logs and pod records.
    const stored = filesUnder(d.stateDir, new Set([secrets]));
    for (const f of ['gitjobs.db', 'gitjobs.db-wal', 'gitjobs.db-shm']) {
      const p = join(d.stateDir, f);
      if (existsSync(p)) expect(stored).toContain(p);
    }
    expect(stored).toContain(join(d.stateDir, 'gitjobs.db'));
    const leaks = stored.filter((f) => readFileSync(f).includes(Buffer.from(CANARY)));
    expect(leaks).toEqual([]);
  });

  it('a secret file readable by others is refused with the fix, and the pod starts once it is fixed', async () => {
    const file = putSecret('open', 'token', 'x', 0o644);
    d.writeJob('open.yaml', secretJob('open', '[ "$T" = x ]', '        env:\n        - name: T\n          valueFrom: {secretKeyRef: {name: open, key: token}}\n'));
    const w = await waitFor('the pod held back', () => waiting(d, 'open')?.reason === 'CreateContainerConfigError' && waiting(d, 'open'));
    expect(w.message).toBe(`refusing to read secret file ${file}: its mode is 0644, so group or others can read it; run chmod 600 ${file}`);
    expect(podOf(d, 'open')?.status.phase).toBe('Pending');
    expect(d.cli(['get', 'events']).stdout).toContain(`Error: refusing to read secret file ${file}`);

    chmodSync(file, 0o600);
    await waitFor('the Job complete once the mode is fixed', () => hasCondition(d.stateDir, 'open', 'Complete'));
  });

  it('a secret file that belongs to another user is refused', async () => {
    const file = putSecret('foreign', 'token', 'x');
    chownSync(file, 65534, 65534);
    d.writeJob('foreign.yaml', secretJob('foreign', 'true', '        env:\n        - name: T\n          valueFrom: {secretKeyRef: {name: foreign, key: token}}\n'));
    const w = await waitFor('the pod held back', () => waiting(d, 'foreign')?.reason === 'CreateContainerConfigError' && waiting(d, 'foreign'));
    expect(w.message).toContain(`it belongs to uid 65534, not to uid 0 that the daemon runs as; run chown 0 ${file}`);

    // A pod held back is still deleted with its Job: its retry does not keep it alive.
    expect(d.cli(['delete', 'job', 'foreign']).code).toBe(0);
    await waitFor('the held-back pod gone', () => podOf(d, 'foreign') === undefined);
  });

  it('a missing secret keeps the pod Pending with the kubelet message, and creating it lets the pod run', async () => {
    d.writeJob('later.yaml', secretJob('later', '[ "$K" = v ]', '        env:\n        - name: K\n          valueFrom: {secretKeyRef: {name: later, key: k}}\n'));
    await waitFor('secret not found', () => waiting(d, 'later')?.message === 'secret "later" not found');
    expect(podOf(d, 'later')?.status.phase).toBe('Pending');
    expect(d.cli(['get', 'pods', '-l', 'job-name=later']).stdout).toMatch(/0\/1\s+CreateContainerConfigError/);
    const pod = podOf(d, 'later')!.metadata.name;
    expect(d.cli(['describe', 'pod', pod]).stdout).toMatch(/Warning\s+Failed\s+.*kubelet\s+Error: secret "later" not found/);

    // The secret exists but not the key yet.
    putSecret('later', 'other', 'v');
    await waitFor('key not found', () => waiting(d, 'later')?.message === "couldn't find key k in Secret default/later");

    putSecret('later', 'k', 'v');
    await waitFor('the Job complete once the key exists', () => hasCondition(d.stateDir, 'later', 'Complete'));
  });

  it('an optional reference to a missing secret leaves the variable out', async () => {
    d.writeJob(
      'optional.yaml',
      secretJob(
        'optional',
        '[ -z "${OPT+set}" ] && [ -z "${P_a+set}" ]',
        '        env:\n        - name: OPT\n          valueFrom: {secretKeyRef: {name: nowhere, key: k, optional: true}}\n' +
          '        envFrom:\n        - secretRef: {name: nowhere, optional: true}\n          prefix: P_\n',
      ),
    );
    await waitFor('the Job complete without the variable', () => hasCondition(d.stateDir, 'optional', 'Complete'));
  });

  it('envFrom keys that are no variable names are skipped with a warning; a secret name in argv is refused at start', async () => {
    putSecret('mixed', 'GOOD', 'g');
    putSecret('mixed', '1bad', 'b');
    d.writeJob('mixed.yaml', secretJob('mixed', '[ "$GOOD" = g ]', '        envFrom:\n        - secretRef: {name: mixed}\n'));
    await waitFor('the Job complete', () => hasCondition(d.stateDir, 'mixed', 'Complete'));
    expect(d.cli(['get', 'events']).stdout).toContain('Keys [1bad] from the EnvFrom secret default/mixed were skipped since they are considered invalid environment variable names.');

    // Only known once the secret is read: $(GOOD) comes from envFrom, so the validator could not refuse it.
    d.writeJob('argv.yaml', secretJob('argv', 'true', '        args: ["$(GOOD)"]\n        envFrom:\n        - secretRef: {name: mixed}\n'));
    const w = await waitFor('the pod held back', () => waiting(d, 'argv')?.reason === 'CreateContainerConfigError' && waiting(d, 'argv'));
    expect(w.message).toContain('$(GOOD) in command or args would put the value of secret "mixed" in the process\'s arguments');
  });
});
