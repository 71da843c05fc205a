import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { detectCgroups } from '../../src/executor/containment/cgroups.js';
import { PodCgroups, stateHash } from '../../src/executor/containment/pod-cgroups.js';
import { RUN_FILE, readWorkloadPid } from '../../src/executor/runtime/run-records.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin', 'gitjobs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a subprocess, as a user would. */
export function cli(args: string[], opts: { state?: string; cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...(opts.state ? { GITJOBS_STATE: opts.state } : {}), ...opts.env },
    timeout: 30_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the CLI without blocking this process: needed when this process also
 * serves something the daemon talks to (a Git server on loopback).
 */
export function cliAsync(args: string[], opts: { state?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...(opts.state ? { GITJOBS_STATE: opts.state } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls a condition until it holds: a wait on a condition, never a fixed sleep. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface DaemonHandle {
  dir: string;
  jobsDir: string;
  stateDir: string;
  proc: ChildProcess;
  log: () => string;
  cli: (args: string[]) => CliResult;
  writeJob: (file: string, yaml: string) => void;
  removeJob: (file: string) => void;
  /** JSON of `get job NAME -o json`, or undefined while it does not exist. */
  job: (name: string) => JobJson | undefined;
  pods: (selector?: string) => PodJson[];
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  cleanup: () => Promise<void>;
}

export interface JobJson {
  metadata: { name: string; uid: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
  status: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    succeeded?: number;
    failed?: number;
    active?: number;
    ready?: number;
    terminating?: number;
    startTime?: string;
    completionTime?: string;
    completedIndexes?: string;
  };
}

export interface PodJson {
  metadata: { name: string; uid: string; labels: Record<string, string>; annotations?: Record<string, string>; creationTimestamp: string };
  status: {
    phase: string;
    containerStatuses?: { name: string; restartCount: number; state: { running?: { startedAt: string }; terminated?: { exitCode: number; finishedAt: string; startedAt?: string } } }[];
  };
}

export function condition(job: JobJson | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  return job?.status.conditions?.find((c) => c.type === type && c.status === 'True');
}

export function tempDir(prefix = 'gitjobs-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts the real daemon as a subprocess on fresh folders. */
export async function startDaemon(
  opts: { backoff?: string; extraArgs?: string[]; files?: Record<string, string>; dir?: string; sourceArgs?: string[]; env?: Record<string, string> } = {},
): Promise<DaemonHandle> {
  const dir = opts.dir ?? tempDir();
  const jobsDir = join(dir, 'jobs');
  const stateDir = join(dir, 'state');
  mkdirSync(jobsDir, { recursive: true });
  for (const [f, text] of Object.entries(opts.files ?? {})) writeFileSync(join(jobsDir, f), text);
  let output = '';
  const proc = spawn(
    process.execPath,
    // Pods write into the test's private temp folder, which the default pod user
    // (nobody) cannot reach; containment tests pass --pod-user themselves, later, which wins.
    [CLI, 'daemon', ...(opts.sourceArgs ?? ['--jobs', jobsDir]), '--state', stateDir, '--pod-backoff-base', opts.backoff ?? '200ms', '--pod-user', 'root', ...(opts.extraArgs ?? [])],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } },
  );
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<number | null>((res) => proc.once('exit', (code) => ((exited = true), (exitCode = code), res(code))));
  try {
    await waitFor('daemon ready', () => output.includes('daemon ready') || (exited && Promise.reject(new Error(output))), 20_000);
  } catch (err) {
    // A daemon that never got ready must not outlive the test that started it.
    if (!exited) proc.kill('SIGKILL');
    throw err;
  }
  if (exited) throw new Error(`daemon exited early (${exitCode}):\n${output}`);
  const run = (args: string[]): CliResult => cli(args, { state: stateDir, cwd: dir });
  const handle: DaemonHandle = {
    dir,
    jobsDir,
    stateDir,
    proc,
    log: () => output,
    cli: run,
    writeJob: (file, yaml) => {
      // Write then rename, as an editor or git checkout would: the watcher never sees half a file.
      writeFileSync(join(jobsDir, `.${file}.tmp`), yaml);
      spawnSync('mv', [join(jobsDir, `.${file}.tmp`), join(jobsDir, file)]);
    },
    removeJob: (file) => rmSync(join(jobsDir, file)),
    job: (name) => {
      const r = run(['get', 'job', name, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as JobJson) : undefined;
    },
    pods: (selector) => {
      const r = run(['get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])]);
      if (r.code !== 0) throw new Error(r.stderr);
      return (JSON.parse(r.stdout) as { items: PodJson[] }).items;
    },
    stop: async (signal = 'SIGTERM') => {
      if (exited) return exitCode;
      proc.kill(signal);
      return exitPromise;
    },
    cleanup: async () => {
      if (!exited) {
        proc.kill('SIGTERM');
        await exitPromise;
      }
      // Pods outlive a gracefully stopped daemon by design; a test's pods must not.
      killPodGroups(stateDir);
      await removeStateCgroups(stateDir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

export function jobYaml(name: string, spec: string, extraMeta = ''): string {
  return `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\n${extraMeta}spec:\n${spec}`;
}

/**
 * Kills what is left in the cgroups a daemon on this state folder made and
 * removes them. A daemon that was SIGKILLed, or stopped with pods running,
 * leaves them for its next start, which a test's daemon never has: without
 * this every run of the suite left a hundred cgroups on the machine.
 */
export async function removeStateCgroups(stateDir: string): Promise<void> {
  let cg: PodCgroups;
  try {
    cg = new PodCgroups(detectCgroups(), stateHash(stateDir), 0);
  } catch {
    return; // no cgroups here
  }
  for (const uid of cg.listPods()) {
    cg.kill(uid);
    // SIGKILLed processes leave their cgroup a moment later; one that will not go fails the test that made it.
    await waitFor(`the cgroups of pod ${uid} removed`, () => cg.remove(uid), 5000, 10);
  }
  cg.removeParent();
}

/** Kills the process group of every workload recorded under a state folder. */
export function killPodGroups(stateDir: string): void {
  for (const pid of workloadPids(stateDir)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function workloadPids(stateDir: string): number[] {
  // The supervisors' workload records, in the `<restart>.run` files beside the logs.
  const root = join(stateDir, 'logs');
  if (!existsSync(root)) return [];
  const pids: number[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(`.${RUN_FILE}`)) pids.push(readWorkloadPid(p.slice(0, -RUN_FILE.length)) ?? 0);
    }
  };
  walk(root);
  return pids.filter((n) => Number.isInteger(n) && n > 1);
}

/** True while any process of the group is alive (zombies included until reaped). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
