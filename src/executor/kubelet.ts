import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Container, ContainerStateTerminated, Pod, PodStatus } from '../api/types.js';
import type { Db } from '../store/db.js';
import { getPod, listLivePods, putPodStatus, recordContainerTermination } from '../store/pods.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { containerArgv, containerEnv, resolveExecutable } from './env.js';
import { LogStamper } from './log-stamps.js';
import { containerLogDir, containerLogPath, podRunDir } from './paths.js';
import {
  containerStarted,
  containerTerminated,
  containerWaitingToRestart,
  podFinished,
  terminationReason,
} from './pod-status.js';
import { isSameProcessAlive, signalGroup, spawnContainer } from './process.js';

export interface PodContext {
  /** Where the container starts unless it sets workingDir. */
  cwd: string;
  /** Variables every container of the pod gets before its own env. */
  env: Record<string, string>;
}

export interface KubeletOptions {
  db: Db;
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** Container restart back-off (OnFailure): base · 2^(n−1), capped at 30 · base (10 s → 5 min as the kubelet). */
  containerBackoffBaseMs: number;
  context: (pod: Pod) => PodContext;
  /** Called after every committed change of a pod's status, with the owning Job's uid. */
  onPodChange: (pod: Pod) => void;
}

interface ContainerRun {
  attempt: number;
  runDir: string;
  pid: number;
  startTime: number | undefined;
  signalled: boolean;
  poll?: NodeJS.Timeout;
}

interface PodRuntime {
  runs: Map<string, ContainerRun>;
  restartTimers: Map<string, NodeJS.Timeout>;
  killTimer?: NodeJS.Timeout;
}

/**
 * The node agent: it makes each pod's processes match the pod's row. It owns
 * the pods' runtime status (and nothing else), and tells the controller when a
 * pod changed. Every wait is a timer; nothing blocks.
 */
export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly stamper: LogStamper;
  private stopped = false;

  constructor(private readonly o: KubeletOptions) {
    this.stamper = new LogStamper(() => o.clock.now());
  }

  /** Re-attaches to pods that were running before a restart; starts pods never started. */
  recover(): void {
    for (const pod of this.o.db.transaction(() => listLivePods(this.o.db))()) {
      this.recoverPod(pod);
    }
  }

  /** Level-triggered: looks at the pod's row and does what it takes to match it. */
  syncPod(uid: string): void {
    if (this.stopped) return;
    const pod = getPod(this.o.db, uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
      this.forget(uid);
      return;
    }
    const rt = this.runtime(uid);
    if (pod.deletionTimestamp !== undefined) {
      this.terminate(pod, rt);
      return;
    }
    if (pod.status.phase === 'Pending' && rt.runs.size === 0 && rt.restartTimers.size === 0) {
      this.startPod(pod, rt);
    }
  }

  /** Stops watching; with stopPods the pods' processes are killed too, otherwise they keep running. */
  shutdown(stopPods: boolean): void {
    this.stopped = true;
    for (const rt of this.pods.values()) {
      for (const t of rt.restartTimers.values()) clearTimeout(t);
      if (rt.killTimer) clearTimeout(rt.killTimer);
      for (const run of rt.runs.values()) {
        if (run.poll) clearInterval(run.poll);
        if (stopPods) this.killRun(run, 'SIGKILL');
      }
    }
    this.pods.clear();
    this.stamper.closeAll();
  }

  private runtime(uid: string): PodRuntime {
    let rt = this.pods.get(uid);
    if (rt === undefined) {
      rt = { runs: new Map(), restartTimers: new Map() };
      this.pods.set(uid, rt);
    }
    return rt;
  }

  private forget(uid: string): void {
    const rt = this.pods.get(uid);
    if (rt === undefined) return;
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    if (rt.killTimer) clearTimeout(rt.killTimer);
    for (const run of rt.runs.values()) if (run.poll) clearInterval(run.poll);
    this.pods.delete(uid);
  }

  private startPod(pod: Pod, rt: PodRuntime): void {
    let status = pod.status;
    for (const c of pod.spec.containers) {
      const cs = status.containerStatuses.find((s) => s.name === c.name);
      status = this.startContainer(pod, c, cs?.restartCount ?? 0, status, rt);
    }
    this.commit(pod, status);
    if (rt.runs.size === 0) this.maybeFinish(pod.uid);
  }

  /** Spawns one container run and returns the status with it running (or failed to start). */
  private startContainer(pod: Pod, c: Container, attempt: number, status: PodStatus, rt: PodRuntime): PodStatus {
    const now = this.o.clock.now();
    const ctx = this.o.context(pod);
    const env = containerEnv({ pod, container: c, base: ctx.env });
    const argv = containerArgv(c, env);
    const cwd = c.workingDir ?? ctx.cwd;
    const runDir = podRunDir(this.o.stateDir, pod.uid, c.name, attempt);
    const logDir = containerLogDir(this.o.stateDir, pod.namespace, pod.name, pod.uid, c.name);
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt);
    const exe = argv[0] === undefined ? null : resolveExecutable(argv[0], env.PATH ?? '', cwd);
    if (exe === null || !existsSync(cwd)) {
      // What a container runtime reports when exec fails: the container never ran.
      const message =
        exe === null
          ? `exec: "${argv[0] ?? ''}": executable file not found in $PATH`
          : `chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`;
      const t: ContainerStateTerminated = { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now };
      this.o.db.transaction(() => {
        recordContainerTermination(this.o.db, pod.uid, { ...t, container: c.name, attempt, logPath: '' });
      })();
      this.o.logger.warn('container failed to start', { pod: `${pod.namespace}/${pod.name}`, container: c.name, message });
      return this.afterExit(pod, c.name, t, containerStarted(status, c.name, now, attempt), rt);
    }
    mkdirSync(runDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const spawned = spawnContainer({ runDir, logPath, argv, env, cwd });
    // Written by us right after spawn: with the kernel start time, it lets a
    // restarted daemon tell our supervisor from a process that reused its pid.
    writeAtomic(`${runDir}/supervisor`, `${spawned.pid} ${spawned.startTime ?? ''}\n`);
    const run: ContainerRun = { attempt, runDir, pid: spawned.pid, startTime: spawned.startTime, signalled: false };
    rt.runs.set(c.name, run);
    this.stamper.watch(logPath);
    spawned.exited.then(() => this.onRunExit(pod.uid, c.name, run));
    return containerStarted(status, c.name, now, attempt);
  }

  private onRunExit(podUid: string, name: string, run: ContainerRun): void {
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    if (rt === undefined || rt.runs.get(name) !== run) return;
    if (run.poll) clearInterval(run.poll);
    rt.runs.delete(name);
    const pod = getPod(this.o.db, podUid);
    if (pod === undefined) return;
    const t = readTermination(run, pod, name, this.o.clock.now());
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt);
    this.stamper.finish(logPath);
    let status = containerTerminated(pod.status, name, t, this.o.clock.now());
    status = this.afterExit(pod, name, t, status, rt);
    this.o.db.transaction(() => {
      recordContainerTermination(this.o.db, pod.uid, { ...t, container: name, attempt: run.attempt, logPath });
      putPodStatus(this.o.db, pod.uid, status, this.o.clock.now());
    })();
    this.o.logger.info('container exited', {
      pod: `${pod.namespace}/${pod.name}`,
      container: name,
      exitCode: t.exitCode,
      reason: t.reason,
    });
    this.notify(pod.uid);
    this.maybeFinish(pod.uid);
  }

  /** Decides a restart in place (OnFailure) after a container ended. */
  private afterExit(pod: Pod, name: string, t: ContainerStateTerminated, status: PodStatus, rt: PodRuntime): PodStatus {
    let s = containerTerminated(status, name, t, this.o.clock.now());
    const restart = pod.spec.restartPolicy === 'OnFailure' && t.exitCode !== 0 && pod.deletionTimestamp === undefined;
    if (!restart) return s;
    const cs = s.containerStatuses.find((c) => c.name === name);
    const restarts = cs?.restartCount ?? 0;
    // 0 before the first restart, then base, 2·base … capped at 30·base (the kubelet's 10 s … 5 min).
    const delay = restarts === 0 ? 0 : Math.min(this.o.containerBackoffBaseMs * 2 ** (restarts - 1), this.o.containerBackoffBaseMs * 30);
    const backoffText = `back-off ${formatSeconds(delay)} restarting failed container=${name} pod=${pod.name}_${pod.namespace}(${pod.uid})`;
    s = containerWaitingToRestart(s, name, 'CrashLoopBackOff', backoffText, this.o.clock.now());
    const timer = setTimeout(() => {
      rt.restartTimers.delete(name);
      this.restartContainer(pod.uid, name);
    }, delay);
    timer.unref();
    rt.restartTimers.set(name, timer);
    return s;
  }

  private restartContainer(podUid: string, name: string): void {
    if (this.stopped) return;
    const pod = getPod(this.o.db, podUid);
    if (pod === undefined || pod.deletionTimestamp !== undefined) {
      this.maybeFinish(podUid);
      return;
    }
    const c = pod.spec.containers.find((x) => x.name === name);
    const rt = this.runtime(podUid);
    if (c === undefined) return;
    const attempt = (pod.status.containerStatuses.find((s) => s.name === name)?.restartCount ?? 0) + 1;
    const status = this.startContainer(pod, c, attempt, pod.status, rt);
    this.commit(pod, status);
  }

  private commit(pod: Pod, status: PodStatus): void {
    this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
    this.notify(pod.uid);
  }

  private notify(podUid: string): void {
    const pod = getPod(this.o.db, podUid);
    if (pod !== undefined) this.o.onPodChange(pod);
  }

  /** When nothing of the pod runs and nothing will restart, the pod has reached its phase. */
  private maybeFinish(podUid: string): void {
    const rt = this.pods.get(podUid);
    if (rt && (rt.runs.size > 0 || rt.restartTimers.size > 0)) return;
    const pod = getPod(this.o.db, podUid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const everyContainerEnded = pod.spec.containers.every((c) => {
      const cs = pod.status.containerStatuses.find((s) => s.name === c.name);
      return cs?.state.terminated !== undefined;
    });
    if (!everyContainerEnded && pod.deletionTimestamp === undefined) return;
    const status = podFinished(pod.status, this.o.clock.now());
    this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
    this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: status.phase });
    this.forget(podUid);
    this.o.onPodChange({ ...pod, status });
  }

  /** Graceful deletion: SIGTERM to every container's process group, SIGKILL after the grace period. */
  private terminate(pod: Pod, rt: PodRuntime): void {
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    rt.restartTimers.clear();
    if (rt.runs.size === 0) {
      this.maybeFinish(pod.uid);
      return;
    }
    for (const run of rt.runs.values()) {
      if (!run.signalled) {
        run.signalled = true;
        this.killRun(run, 'SIGTERM');
      }
    }
    if (rt.killTimer === undefined) {
      const graceMs = (pod.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000;
      const deadline = (pod.deletionTimestamp ?? this.o.clock.now()) + graceMs;
      rt.killTimer = setTimeout(() => {
        for (const run of rt.runs.values()) this.killRun(run, 'SIGKILL');
      }, Math.max(0, deadline - this.o.clock.now()));
      rt.killTimer.unref();
    }
  }

  private killRun(run: ContainerRun, signal: NodeJS.Signals): void {
    const pgid = readWorkloadPid(run.runDir);
    if (pgid !== undefined) {
      signalGroup(pgid, signal);
      return;
    }
    // The supervisor has not yet written the workload's pid: try again shortly.
    const retry = setTimeout(() => {
      const later = readWorkloadPid(run.runDir);
      if (later !== undefined) signalGroup(later, signal);
    }, 20);
    retry.unref();
  }

  private recoverPod(pod: Pod): void {
    const rt = this.runtime(pod.uid);
    if (pod.status.phase === 'Pending' && !pod.status.containerStatuses.some((c) => c.started || c.state.terminated)) {
      if (pod.deletionTimestamp === undefined) {
        this.startPod(pod, rt);
        return;
      }
    }
    let status = pod.status;
    let changed = false;
    for (const c of pod.spec.containers) {
      const cs = status.containerStatuses.find((s) => s.name === c.name);
      if (cs === undefined || cs.state.terminated !== undefined) continue;
      const attempt = cs.restartCount;
      const runDir = podRunDir(this.o.stateDir, pod.uid, c.name, attempt);
      if (cs.state.waiting !== undefined) {
        if (pod.deletionTimestamp === undefined && cs.state.waiting.reason === 'CrashLoopBackOff') {
          const timer = setTimeout(() => {
            rt.restartTimers.delete(c.name);
            this.restartContainer(pod.uid, c.name);
          }, this.o.containerBackoffBaseMs);
          timer.unref();
          rt.restartTimers.set(c.name, timer);
        }
        continue;
      }
      const sup = readSupervisor(runDir);
      const run: ContainerRun = { attempt, runDir, pid: sup?.pid ?? 0, startTime: sup?.startTime, signalled: false };
      if (existsSync(`${runDir}/exit`) || sup === undefined || !isSameProcessAlive(sup.pid, sup.startTime)) {
        // Ended while we were away (exit file), or lost with its supervisor.
        const t = readTermination(run, pod, c.name, this.o.clock.now());
        const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt);
        this.stamper.finish(logPath);
        recordContainerTermination(this.o.db, pod.uid, { ...t, container: c.name, attempt, logPath });
        status = this.afterExit(pod, c.name, t, status, rt);
        changed = true;
        continue;
      }
      // Still running under its supervisor, which is no longer our child: poll it.
      rt.runs.set(c.name, run);
      this.stamper.watch(containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt));
      run.poll = setInterval(() => {
        if (existsSync(`${runDir}/exit`) || !isSameProcessAlive(run.pid, run.startTime)) this.onRunExit(pod.uid, c.name, run);
      }, 200);
      run.poll.unref();
      this.o.logger.info('re-attached to running container', { pod: `${pod.namespace}/${pod.name}`, container: c.name, pid: run.pid });
    }
    if (changed) this.commit(pod, status);
    if (pod.deletionTimestamp !== undefined) this.terminate(pod, rt);
    else this.maybeFinish(pod.uid);
  }
}

function readTermination(run: ContainerRun, pod: Pod, name: string, now: number): ContainerStateTerminated {
  const exitFile = `${run.runDir}/exit`;
  const cs = pod.status.containerStatuses.find((s) => s.name === name);
  const startedAt = cs?.state.running?.startedAt;
  try {
    const code = Number(readFileSync(exitFile, 'utf8').trim());
    const finishedAt = Math.floor(statSync(exitFile).mtimeMs);
    const t: ContainerStateTerminated = { exitCode: code, reason: terminationReason(code), finishedAt };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  } catch {
    // No exit file: the supervisor itself was killed, so nobody saw the end.
    const t: ContainerStateTerminated = {
      exitCode: 137,
      reason: 'Lost',
      message: 'the container supervisor ended without recording an exit status',
      finishedAt: now,
    };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  }
}

function readWorkloadPid(runDir: string): number | undefined {
  try {
    const v = Number(readFileSync(`${runDir}/workload.pid`, 'utf8').trim());
    return Number.isInteger(v) && v > 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

function readSupervisor(runDir: string): { pid: number; startTime: number | undefined } | undefined {
  try {
    const [pid, start] = readFileSync(`${runDir}/supervisor`, 'utf8').trim().split(' ');
    const p = Number(pid);
    if (!Number.isInteger(p) || p <= 1) return undefined;
    return { pid: p, startTime: start ? Number(start) : undefined };
  } catch {
    return undefined;
  }
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m0s`;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
