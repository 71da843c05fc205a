import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSupervisor } from '../../../src/executor/runtime/supervisor-build.js';
import {
  chooseSupervisor,
  installSupervisor,
  NATIVE_SUPERVISOR_PATH,
  SHELL_SUPERVISOR_PATH,
  SUPERVISOR_SOURCES,
  supervisorArgv,
  type Supervisor,
} from '../../../src/executor/runtime/supervisor.js';
import { readRun, RUN_FILE, type RunRecord } from '../../../src/executor/runtime/run-records.js';
import { waitFor } from '../../helpers/e2e.js';

// Both supervisors run for real here: the compiled one (built by `npm run
// build`) and the shell one it replaces where no C compiler was found. They
// must leave the same records, since a daemon reads whichever a pod ran under.

const builtNative = existsSync(NATIVE_SUPERVISOR_PATH);
const isRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitjobs-supervisor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  pid: number;
  status: number | null;
  log: string;
  /** The run file as read back, and as written. */
  run: RunRecord;
  text: string;
}

/** The records of run 0 of a container, as the kubelet names them beside the run's log. */
const records0 = (): string => join(dir, 'c', '0.');

function runUnder(s: Supervisor, command: string[], opts: { join?: string; drop?: { uid: number; gid: number }; records?: string } = {}): { pid: number; done: Promise<Ran> } {
  const records = opts.records ?? records0();
  mkdirSync(dirname(records), { recursive: true });
  const { file, args } = supervisorArgv(s, records, opts.join ?? '-', opts.drop, command);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr.on('data', (b: Buffer) => (log += b.toString()));
  const done = new Promise<Ran>((resolve) => {
    child.on('close', (status) => {
      const file = `${records}${RUN_FILE}`;
      resolve({ pid: child.pid!, status, log, run: readRun(records), text: existsSync(file) ? readFileSync(file, 'utf8') : '' });
    });
  });
  return { pid: child.pid!, done };
}

const shell: Supervisor = { path: SHELL_SUPERVISOR_PATH, native: false };
const native: Supervisor = { path: NATIVE_SUPERVISOR_PATH, native: true };
const kinds: Array<[string, Supervisor, boolean]> = [
  ['the shell supervisor', shell, true],
  ['the compiled supervisor', native, builtNative],
];

for (const [name, s, available] of kinds) {
  describe.skipIf(!available)(name, () => {
    it('records the workload, then its exit status, each a line appended to the run file, and exits with it', async () => {
      const before = Date.now();
      const r = await runUnder(s, ['sh', '-c', 'echo out; echo err >&2; exit 3']).done;
      expect(r.status).toBe(3);
      expect(r.text).toMatch(/^workload \d+( \d+)?\nexit 3( \d+)?\n$/);
      expect(r.run.exitCode).toBe(3);
      expect(r.run.workloadPid).toBeGreaterThan(1);
      // When, to the ms: in the line where the supervisor can read the clock, else the file's mtime.
      for (const at of [r.run.workloadAt!, r.run.exitAt!]) expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(r.run.exitAt!).toBeLessThanOrEqual(Date.now());
      expect(r.run.exitAt!).toBeGreaterThanOrEqual(r.run.workloadAt!);
      expect(r.log).toContain('out');
      expect(r.log).toContain('err');
    });

    it('a workload killed by a signal ends as 128 + the signal, as a container runtime reports it', async () => {
      const r = await runUnder(s, ['sh', '-c', 'kill -KILL $$']).done;
      expect(r.run.exitCode).toBe(137);
      expect(r.status).toBe(137);
    });

    it('the workload leads a session of its own, so signalling the pod never reaches the supervisor', async () => {
      const r = await runUnder(s, ['sh', '-c', 'cut -d" " -f5,6 /proc/self/stat; echo parent $PPID']).done;
      const workload = r.run.workloadPid;
      // `cut` runs in the workload's group: its pgid and session are the workload's pid.
      const [pgrp, sid] = r.log.split('\n')[0]!.split(' ').map(Number);
      expect(pgrp).toBe(workload);
      expect(sid).toBe(workload);
      expect(r.log).toContain(`parent ${r.pid}`);
    });

    it('joins every listed cgroup.procs file before the workload starts', async () => {
      const a = join(dir, 'a.procs');
      const b = join(dir, 'b.procs');
      writeFileSync(a, '');
      writeFileSync(b, '');
      const { pid, done } = runUnder(s, ['true'], { join: `${a}:${b}` });
      const r = await done;
      expect(r.status).toBe(0);
      expect(readFileSync(a, 'utf8')).toBe(`${pid}\n`);
      expect(readFileSync(b, 'utf8')).toBe(`${pid}\n`);
    });

    it('a cgroup it cannot join stops the run before anything of the workload runs', async () => {
      const marker = join(dir, 'ran');
      const r = await runUnder(s, ['touch', marker], { join: join(dir, 'missing', 'cgroup.procs') }).done;
      expect(r.status).toBe(125);
      expect(existsSync(marker)).toBe(false);
      expect(r.run.workloadPid).toBeUndefined();
    });

    it("'wait' holds the workload until its spawner has moved it (joined appears)", async () => {
      const marker = join(dir, 'ran');
      const { done } = runUnder(s, ['touch', marker], { join: 'wait' });
      // Nothing starts while `joined` is missing: poll a while to be sure.
      await expect(waitFor('workload started', () => existsSync(marker), 300)).rejects.toThrow();
      writeFileSync(`${records0()}joined`, '');
      const r = await done;
      expect(r.status).toBe(0);
      expect(existsSync(marker)).toBe(true);
    });

    it('installs a content-addressed copy in the state folder, so replacing the installed one cannot affect a running daemon', () => {
      const copy = installSupervisor(dir, s);
      expect(copy.native).toBe(s.native);
      expect(copy.path.startsWith(join(dir, 'bin', s.native ? 'pod-supervisor-' : 'pod-wrapper-'))).toBe(true);
      expect(readFileSync(copy.path)).toEqual(readFileSync(s.path));
      expect(statSync(copy.path).mode & 0o111).not.toBe(0);
      expect(installSupervisor(dir, s).path).toBe(copy.path);
    });
  });
}

describe.skipIf(!builtNative)('the compiled supervisor only', () => {
  it.skipIf(!isRoot)('drops the workload to the pod user as setpriv would: no groups, no capabilities, no_new_privs', async () => {
    const r = await runUnder(native, ['grep', '-E', '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):', '/proc/self/status'], {
      drop: { uid: 65534, gid: 65533 },
    }).done;
    expect(r.status).toBe(0);
    const fields = Object.fromEntries(r.log.trim().split('\n').map((l) => l.split(/:\s*/) as [string, string]));
    expect(fields.Uid).toBe('65534\t65534\t65534\t65534');
    expect(fields.Gid).toBe('65533\t65533\t65533\t65533');
    expect(fields.Groups ?? '').toBe('');
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(fields[cap], cap).toBe('0000000000000000');
    expect(fields.NoNewPrivs).toBe('1');
  });

  it('the workload gets default signal dispositions (the shell ignores SIGINT for background jobs)', async () => {
    const r = await runUnder(native, ['sh', '-c', 'kill -INT $$; exit 0']).done;
    expect(r.run.exitCode).toBe(130);
  });

  it('an exec that fails (the kubelet checked the program, but it went away) exits 127 and says why in the log', async () => {
    const r = await runUnder(native, [join(dir, 'gone')]).done;
    expect(r.status).toBe(127);
    expect(r.run.exitCode).toBe(127);
    expect(r.log).toContain(`exec ${join(dir, 'gone')}: No such file or directory`);
  });

  it('refuses a malformed user before starting anything', async () => {
    const r = await runUnder(native, ['true'], { drop: { uid: Number.NaN, gid: 1 } }).done;
    expect(r.status).toBe(125);
    expect(r.log).toContain('bad user');
  });
});

describe('choosing and building the supervisor', () => {
  it.skipIf(!builtNative)('the compiled one when it was built, unless GITJOBS_POD_SUPERVISOR=shell', () => {
    expect(chooseSupervisor({})).toEqual(native);
    expect(chooseSupervisor({ GITJOBS_POD_SUPERVISOR: 'shell' })).toEqual(shell);
  });

  it('the shell one cannot switch users, so asking it to is a bug, not a silent root pod', () => {
    expect(() => supervisorArgv(shell, dir, '-', { uid: 1, gid: 1 }, ['true'])).toThrow(/setpriv/);
  });

  it('a host without a C compiler builds nothing and removes a stale supervisor, so pods fall back to the shell one', () => {
    const out = join(dir, 'pod-supervisor');
    writeFileSync(out, 'stale');
    const r = buildSupervisor(SUPERVISOR_SOURCES, out, join(dir, 'no-such-cc'));
    expect(r.built).toBe(false);
    expect(r.message).toContain('ENOENT');
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!builtNative)('a source the compiler rejects is reported with its words', () => {
    const bad = join(dir, 'bad.c');
    writeFileSync(bad, 'int main( {\n');
    const r = buildSupervisor([bad], join(dir, 'out'), process.env.CC ?? 'cc');
    expect(r.built).toBe(false);
    expect(r.message).toMatch(/bad\.c/);
  });
});
