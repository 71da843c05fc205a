import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../src/executor/containment/cgroups.js';
import { PodCgroups, stateHash } from '../../../src/executor/containment/pod-cgroups.js';
import { frame, Launcher, parseReply, startFrame } from '../../../src/executor/runtime/launcher.js';
import { readExitCode, readSupervisor, readWorkloadPid } from '../../../src/executor/runtime/run-records.js';
import type { RunExit, StartedRun, StartRequest } from '../../../src/executor/runtime/spawner.js';
import { NATIVE_SUPERVISOR_PATH } from '../../../src/executor/runtime/supervisor.js';
import { createLogger } from '../../../src/util/logger.js';
import { removeStateCgroups, waitFor } from '../../helpers/e2e.js';

// The compiled launcher (`pod-supervisor --serve`) run for real: through the
// Launcher the daemon uses, and fed raw frames where a test needs a request
// the Launcher would never write.

const built = existsSync(NATIVE_SUPERVISOR_PATH);
const isRoot = process.getuid?.() === 0;
const logged: string[] = [];
const logger = createLogger('text', (l) => logged.push(l));

let dir: string;
let launchers: Launcher[] = [];
let raw: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gitjobs-launcher-'));
});
afterEach(async () => {
  for (const l of launchers.splice(0)) l.stop();
  for (const c of raw.splice(0)) c.kill('SIGKILL');
  await removeStateCgroups(join(dir, 'state'));
  rmSync(dir, { recursive: true, force: true });
});

function request(name: string, argv: string[], extra: Partial<StartRequest> = {}): StartRequest {
  const logDir = join(dir, 'logs', name);
  return {
    records: join(logDir, '0.'),
    logDir,
    logPath: join(logDir, '0.log'),
    argv,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: dir,
    prefix: [],
    supervisor: { path: NATIVE_SUPERVISOR_PATH, native: true },
    ...extra,
  };
}

interface Outcome {
  started?: StartedRun;
  failed?: string;
  exited: Promise<RunExit>;
}

/** Starts a run and waits until it is up (or failed to start). */
async function run(l: Launcher, req: StartRequest): Promise<Outcome> {
  let started: StartedRun | undefined;
  let failed: string | undefined;
  let exit!: (e: RunExit) => void;
  const exited = new Promise<RunExit>((r) => (exit = r));
  l.start(req, { started: (s) => (started = s), failed: (m) => (failed = m), exited: exit });
  await waitFor('the launcher answered', () => started !== undefined || failed !== undefined);
  return { ...(started === undefined ? {} : { started }), ...(failed === undefined ? {} : { failed }), exited };
}

function launcher(o: { cgroups?: PodCgroups; holdFd?: number } = {}): Launcher {
  const l = new Launcher({ program: NATIVE_SUPERVISOR_PATH, cgroups: o.cgroups, logger, ...(o.holdFd === undefined ? {} : { holdFd: o.holdFd }) });
  launchers.push(l);
  return l;
}

/** The launcher fed by hand: frames in, answer lines out. */
function rawLauncher(): { send: (fields: string[]) => void; lines: string[]; proc: ChildProcess } {
  const proc = spawn(NATIVE_SUPERVISOR_PATH, ['--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  raw.push(proc);
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return { send: (fields) => proc.stdin!.write(frame(fields)), lines, proc };
}

/** A start request's fields as the Launcher writes them, with the cgroup plan given by hand. */
function rawStart(id: number, name: string, argv: string[], plan: { mkdirs?: string[]; writes?: string[]; procs?: string[] } = {}): string[] {
  const logDir = join(dir, 'logs', name);
  const list = (l: string[] = []): string[] => [String(l.length), ...l];
  return ['S', String(id), join(logDir, '0.'), logDir, join(logDir, '0.log'), dir, '-', '', ...list(plan.mkdirs), ...list(plan.writes), ...list(plan.procs), ...list(argv), ...list([`PATH=${process.env.PATH ?? '/bin'}`])];
}

describe.skipIf(!built)('the launcher', () => {
  it('starts a run as its own child: records, log, environment, working folder and exit status as the supervisor leaves them', async () => {
    const l = launcher();
    const req = request('a', ['sh', '-c', 'echo "out $GREETING"; echo err >&2; pwd; exit 3'], { env: { PATH: process.env.PATH ?? '/bin', GREETING: 'hello' }, podUid: 12345 });
    const o = await run(l, req);
    expect(o.failed).toBeUndefined();
    // The supervisor record is there by the time the start is answered: a daemon SIGKILLed now still finds the run.
    const sup = readSupervisor(req.records);
    expect(sup).toEqual({ pid: o.started!.pid, startTime: o.started!.startTime, podUid: 12345 });
    expect(await o.exited).toBe(3);
    expect(readExitCode(req.records)).toBe(3);
    expect(readWorkloadPid(req.records)).toBeGreaterThan(1);
    expect(readFileSync(req.logPath, 'utf8')).toBe(`out hello\nerr\n${dir}\n`);
  });

  it('the workload holds none of the launcher\'s descriptors, so a running pod never keeps the state lock', async () => {
    const lock = join(dir, 'lock');
    writeFileSync(lock, '');
    const fd = openSync(lock, 'r');
    try {
      const l = launcher({ holdFd: fd });
      const req = request('fds', ['sh', '-c', 'for f in /proc/$$/fd/*; do readlink "$f" || true; done']);
      const o = await run(l, req);
      expect(await o.exited).toBe(0);
      const open = readFileSync(req.logPath, 'utf8').trim().split('\n');
      expect(open).not.toContain(lock);
      // stdin on /dev/null, stdout and stderr on the log, and the shell's own glob of /proc: nothing else.
      expect(open.filter((f) => f !== '/dev/null' && f !== req.logPath && !f.startsWith('/proc/'))).toEqual([]);
      // The launcher itself does hold it, as the fork server did: a new daemon waits until it is gone.
      const [server] = ourLaunchers();
      expect(server).toBeDefined();
      expect(readdirSync(`/proc/${server}/fd`).map((f) => readlinkSafe(`/proc/${server}/fd/${f}`))).toContain(lock);
    } finally {
      closeSync(fd);
    }
  });

  it('a command that is not there ends 127 with the reason in the log, as a runtime reports it', async () => {
    const l = launcher();
    const req = request('nope', ['no-such-command-here']);
    const o = await run(l, req);
    expect(await o.exited).toBe(127);
    expect(readFileSync(req.logPath, 'utf8')).toMatch(/exec no-such-command-here: No such file or directory/);
  });

  it('a NUL byte in a field is refused before anything is sent, and the launcher goes on', async () => {
    const l = launcher();
    const bad = await run(l, request('nul', ['echo', 'a\0b']));
    expect(bad.failed).toMatch(/NUL/);
    expect(existsSync(join(dir, 'logs', 'nul'))).toBe(false);
    const envBad = await run(l, request('eq', ['true'], { env: { 'A=B': 'x' } }));
    expect(envBad.failed).toMatch(/environment variable name/);
    const ok = await run(l, request('after', ['true']));
    expect(await ok.exited).toBe(0);
  });

  it('a run whose working folder is gone ends as a set-up failure with the reason in its log', async () => {
    const l = launcher();
    const req = request('cwd', ['true'], { cwd: join(dir, 'gone') });
    const o = await run(l, req);
    expect(await o.exited).toBe(125);
    expect(readFileSync(req.logPath, 'utf8')).toMatch(/chdir .*gone: No such file or directory/);
  });

  it('killed, it reports its runs orphaned; they go on, and the next start brings up a new one', async () => {
    const l = launcher();
    const gate = join(dir, 'gate');
    const req = request('orphan', ['sh', '-c', `while [ ! -e ${gate} ]; do sleep 0.02; done`]);
    const o = await run(l, req);
    const server = parentOf(o.started!.pid);
    expect(readlinkSync(`/proc/${server}/exe`)).toBe(NATIVE_SUPERVISOR_PATH);
    process.kill(server, 'SIGKILL');
    expect(await o.exited).toBe('orphaned');
    writeFileSync(gate, '');
    await waitFor('the orphaned run recorded its exit', () => readExitCode(req.records) === 0);
    const next = await run(l, request('next', ['true']));
    expect(await next.exited).toBe(0);
    expect(logged.some((m) => m.includes('the launcher ended'))).toBe(true);
  });
});

describe('the start frame', () => {
  it('carries the prefix before the command, the user to drop to and the pod uid; a supervisor to spawn as another user is not the launcher\'s', () => {
    const req = request('f', ['echo', 'hi'], { prefix: ['prlimit', '--nofile=64', '--'], drop: { uid: 65534, gid: 65534 }, podUid: 200001 });
    const fields = startFrame(3, req, undefined).toString('utf8').split('\n').slice(1).join('\n').split('\0');
    expect(fields.slice(0, 8)).toEqual(['S', '3', req.records, req.logDir, req.logPath, req.cwd, '65534:65534', '200001']);
    // No cgroups: no folders, writes or procs files; then argv, prefix first.
    expect(fields.slice(8, 16)).toEqual(['0', '0', '0', '5', 'prlimit', '--nofile=64', '--', 'echo']);
    expect(() => startFrame(4, { ...req, spawnAs: { uid: 1, gid: 1 } }, undefined)).toThrow(/another user/);
  });
});

describe.skipIf(!built)('the launcher fed raw frames', () => {
  it('a frame it cannot read is answered F for its id, and the next request still runs', async () => {
    const r = rawLauncher();
    // Two lists where five are due: the request is short.
    r.send(['S', '7', join(dir, 'x.'), dir, join(dir, 'x.log'), dir, '-', '', '0', '0']);
    r.send(rawStart(8, 'ok', ['true']));
    await waitFor('both answered', () => r.lines.some((l) => l.startsWith('X 8 ')));
    expect(r.lines[0]).toMatch(/^F 7 the launcher could not read the request$/);
    expect(parseReply(r.lines.find((l) => l.startsWith('S 8 '))!)).toMatchObject({ t: 'started', run: { inCgroup: false, failedLimits: [] } });
    expect(r.lines).toContain('X 8 0');
  });

  it('a limit that cannot be written is reported by name, its later writes skipped, and the run starts', async () => {
    const r = rawLauncher();
    const cg = join(dir, 'cg');
    mkdirSync(cg);
    const skipped = join(cg, 'skipped');
    // Real cgroup files are the kernel's, never created by writing: the launcher opens them without O_CREAT.
    mkdirSync(join(cg, 'pod', 'leaf'), { recursive: true });
    writeFileSync(join(cg, 'pod', 'leaf', 'cpu.max'), '');
    writeFileSync(join(cg, 'pod', 'leaf', 'procs'), '');
    r.send(
      rawStart(1, 'lim', ['true'], {
        mkdirs: [join(cg, 'pod', 'leaf')],
        // memory fails (no such folder); its optional swap write after it must not happen; cpu goes through.
        writes: ['w', 'memory', join(cg, 'missing', 'memory.max'), '1', 'o', 'memory', skipped, '0', 'w', 'cpu', join(cg, 'pod', 'leaf', 'cpu.max'), '1000 100000'],
        procs: [join(cg, 'pod', 'leaf', 'procs')],
      }),
    );
    await waitFor('exited', () => r.lines.some((l) => l.startsWith('X 1 ')));
    const started = parseReply(r.lines[0]!);
    expect(started).toMatchObject({ t: 'started', run: { inCgroup: true, failedLimits: ['memory'] } });
    expect(existsSync(skipped)).toBe(false);
    expect(readFileSync(join(cg, 'pod', 'leaf', 'cpu.max'), 'utf8')).toBe('1000 100000');
    // The supervisor wrote its pid into what it was told to join.
    expect(Number(readFileSync(join(cg, 'pod', 'leaf', 'procs'), 'utf8'))).toBe((started as { run: StartedRun }).run.pid);
  });

  it('a cgroup that cannot be made means a run without one, with the reason, rather than no run', async () => {
    const r = rawLauncher();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    r.send(rawStart(1, 'nocg', ['true'], { mkdirs: [join(file, 'pod', 'leaf')], procs: [join(file, 'pod', 'leaf', 'cgroup.procs')] }));
    await waitFor('exited', () => r.lines.some((l) => l.startsWith('X 1 ')));
    const started = parseReply(r.lines[0]!) as { run: StartedRun };
    expect(started.run.inCgroup).toBe(false);
    expect(started.run.cgroupError).toMatch(/cannot create .*a-file\/pod\/leaf: Not a directory/);
    expect(r.lines).toContain('X 1 0');
  });

  it('a request read after its daemon died is never started', async () => {
    // A shell stands in for the daemon: it starts the launcher on a FIFO, writes half a
    // request, and is SIGKILLed; the other half arrives once the launcher is an orphan.
    const fields = frame(rawStart(1, 'late', ['true']));
    writeFileSync(join(dir, 'head'), fields.subarray(0, 20));
    writeFileSync(join(dir, 'tail'), fields.subarray(20));
    const script = [
      'mkfifo f',
      `${NATIVE_SUPERVISOR_PATH} --serve < f > answers & echo $! > lpid`,
      'exec 3> f',
      'cat head >&3',
      '(while [ ! -e go ]; do sleep 0.02; done; cat tail >&3) &',
      'wait',
    ].join('\n');
    const sh = spawn('sh', ['-c', script], { cwd: dir, stdio: 'ignore' });
    const pid = await waitFor('the launcher serving', () => {
      const p = Number(readFileSyncSafe(join(dir, 'lpid')));
      // Its signalfd is made once it has taken note of its parent.
      return p > 1 && readdirSafe(`/proc/${p}/fd`).some((f) => readlinkSafe(`/proc/${p}/fd/${f}`) === 'anon_inode:[signalfd]') ? p : undefined;
    });
    expect(parentOf(pid)).toBe(sh.pid);
    sh.kill('SIGKILL');
    await new Promise((r) => sh.once('exit', r));
    writeFileSync(join(dir, 'go'), '');
    await waitFor('the launcher ended', () => !existsSync(`/proc/${pid}`) || readFileSyncSafe(`/proc/${pid}/stat`).includes(') Z'));
    expect(readFileSync(join(dir, 'answers'), 'utf8')).toBe('');
    expect(existsSync(join(dir, 'logs', 'late'))).toBe(false);
  });
});

/** The launchers this test process started. */
function ourLaunchers(): number[] {
  const kids = readdirSafe('/proc/self/task').flatMap((t) => readFileSyncSafe(`/proc/self/task/${t}/children`).trim().split(/\s+/).filter(Boolean).map(Number));
  return kids.filter((k) => readlinkSafe(`/proc/${k}/exe`) === NATIVE_SUPERVISOR_PATH);
}

function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

function readFileSyncSafe(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

function readlinkSafe(f: string): string {
  try {
    return readlinkSync(f);
  } catch {
    return '';
  }
}

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

describe.skipIf(!built || !isRoot || detectCgroups().mode === 'none')('the launcher with this host\'s cgroups', () => {
  function cgroups(): PodCgroups {
    const cg = new PodCgroups(detectCgroups(), stateHash(join(dir, 'state')), 64);
    cg.init();
    return cg;
  }

  it('the run lands in its leaf with its limits, and an emptied pod cgroup is removed by the launcher', async () => {
    const cg = cgroups();
    const l = launcher({ cgroups: cg });
    const req = request('cg', ['sh', '-c', 'cat /proc/self/cgroup'], { cgroup: { podUid: 'pod-a', leaf: 'c.0', limits: { memoryBytes: 64 * 1024 * 1024 } } });
    const o = await run(l, req);
    expect(o.started).toMatchObject({ inCgroup: true, failedLimits: [] });
    expect(await o.exited).toBe(0);
    expect(readFileSync(req.logPath, 'utf8')).toContain('/pod-a/c.0');
    l.removeCgroup('pod-a', () => {});
    await waitFor('the pod cgroup removed', () => cg.podDirs('pod-a').every((d) => !existsSync(d)));
  });

  it('a pod cgroup something still runs in is handed back, killed and removed', async () => {
    const cg = cgroups();
    const l = launcher({ cgroups: cg });
    // The workload leaves a child behind in its cgroup and ends.
    const req = request('busy', ['sh', '-c', 'sleep 600 & echo $! > left; exit 0'], { cgroup: { podUid: 'pod-b', leaf: 'c.0', limits: {} } });
    const o = await run(l, req);
    expect(await o.exited).toBe(0);
    const left = Number(readFileSync(join(dir, 'left'), 'utf8'));
    expect(cg.populated('pod-b')).toBe(true);
    const gaveUp: string[] = [];
    l.removeCgroup('pod-b', (d) => gaveUp.push(d));
    await waitFor('the pod cgroup removed', () => cg.podDirs('pod-b').every((d) => !existsSync(d)));
    expect(existsSync(`/proc/${left}`) && !readFileSync(`/proc/${left}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect(gaveUp).toEqual([]);
  });
});
