import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Container, ContainerStateTerminated, ContainerStatus, Pod, PodStatus } from '../api/types.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, listLivePods, putPodStatus, recordContainerTermination } from '../store/pods.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { hostname } from 'node:os';
import { containerArgv, containerEnv, resolveExecutable, type LocalNode } from './env.js';
import { localCapacity } from './resources.js';
import { NO_CONTAINMENT, runLimits, unenforcedLimits, type Containment } from './containment.js';
import { LogStamper } from './log-stamps.js';
import { containerLogDir, containerLogPath, podRunDir } from './paths.js';
import {
  containerStarted,
  containerTerminated,
  containerWaitingToRestart,
  initialPodStatus,
  podFinished,
  podInitialized,
  terminationReason,
  withPodCondition,
  type FinishOptions,
} from './pod-status.js';
import { installWrapper, isOurWorkload, isSameProcessAlive, signalGroup, spawnContainer } from './process.js';
import { createPodVolumes, removePodVolumes, volumeMountEnv } from './volumes.js';

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
  /** cgroups, pod user, PID namespace, log cap; none by default. */
  containment?: Containment;
}

/** How long the leftovers of an ended container may resist SIGKILL before its end is recorded anyway. */
const DRAIN_LIMIT_MS = 10_000;

type Role = 'init' | 'sidecar' | 'main';

interface ContainerRun {
  attempt: number;
  runDir: string;
  pid: number;
  startTime: number | undefined;
  signalled: boolean;
  poll?: NodeJS.Timeout;
  /** The supervisor's own exit status, when it was our child. */
  exitCode?: number;
  /** The run's cgroup leaf (`<container>.<attempt>` in the pod's cgroup), when pods get cgroups. */
  leaf?: string;
  /** When killing the processes it left behind began. */
  drainingSince?: number;
}

interface PodRuntime {
  /** True once this daemon has started or re-attached to the pod. */
  started: boolean;
  runs: Map<string, ContainerRun>;
  restartTimers: Map<string, NodeJS.Timeout>;
  killTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  /** Set when the pod must end although nobody deleted it: its deadline passed, or an init container failed for good. */
  ending?: FinishOptions;
}

const DEADLINE_EXCEEDED: FinishOptions = {
  failed: true,
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
};

function roleOf(pod: Pod, name: string): Role {
  const init = pod.spec.initContainers.find((c) => c.name === name);
  if (init === undefined) return 'main';
  return init.restartPolicy === 'Always' ? 'sidecar' : 'init';
}

function statusOf(status: PodStatus, name: string): ContainerStatus | undefined {
  return status.containerStatuses.find((c) => c.name === name) ?? status.initContainerStatuses.find((c) => c.name === name);
}

/**
 * The node agent: it makes each pod's processes match the pod's row. It owns
 * the pods' runtime status (and nothing else), and tells the controller when a
 * pod changed. Every wait is a timer; nothing blocks.
 *
 * A pod runs as the kubelet runs it: regular init containers one after the
 * other, sidecars (init containers with restartPolicy Always) started in their
 * turn and kept running, then the main containers; once every main container
 * has ended the sidecars are stopped, and only the main containers decide the
 * pod's phase.
 */
export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly stamper: LogStamper;
  private readonly c: Containment;
  private stopped = false;

  /** This daemon's own copy of the supervisor script (see installWrapper). */
  private readonly wrapper: string;

  constructor(private readonly o: KubeletOptions) {
    this.wrapper = installWrapper(o.stateDir);
    this.c = o.containment ?? NO_CONTAINMENT;
    this.stamper = new LogStamper(() => o.clock.now(), this.c.logMaxBytes);
  }

  /** Re-attaches to pods that were running before a restart; starts pods never started. */
  recover(): void {
    for (const pod of this.o.db.transaction(() => listLivePods(this.o.db))()) {
      this.recoverPod(pod);
    }
    // cgroups of pods that ended (or were deleted) while no daemon ran: whatever is left in them goes.
    for (const uid of this.c.cgroups?.listPods() ?? []) {
      if (!this.pods.has(uid)) this.removePodCgroup(uid);
    }
  }

  /** Level-triggered: looks at the pod's row and does what it takes to match it. */
  syncPod(uid: string): void {
    if (this.stopped) return;
    const pod = getPod(this.o.db, uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
      this.forget(uid);
      if (pod !== undefined) removePodVolumes(this.o.stateDir, uid);
      // Also for a pod whose row is gone (its Job deleted): nothing of it may stay behind.
      this.removePodCgroup(uid);
      return;
    }
    const rt = this.runtime(uid);
    if (pod.deletionTimestamp !== undefined) {
      this.terminate(pod, rt);
      return;
    }
    if (!rt.started && pod.status.phase === 'Pending') this.startPod(pod, rt);
  }

  /**
   * Marks a pod that is stopped on purpose while its Job still wants it, before
   * it is deleted, as the eviction API does: `onPodConditions` rules match it.
   */
  disrupt(uid: string, reason: string, message: string): void {
    const pod = getPod(this.o.db, uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const status = withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.o.clock.now());
    this.o.db.transaction(() => putPodStatus(this.o.db, uid, status, this.o.clock.now()))();
  }

  /** Stops watching; with stopPods the pods' processes are killed too, otherwise they keep running. */
  shutdown(stopPods: boolean): void {
    this.stopped = true;
    for (const [uid, rt] of this.pods) {
      this.clearTimers(rt);
      for (const run of rt.runs.values()) {
        if (run.poll) clearInterval(run.poll);
        if (stopPods) this.killRun(run, 'SIGKILL', uid);
      }
    }
    this.pods.clear();
    this.stamper.closeAll();
    this.c.cgroups?.removeParent();
  }

  private localNode: LocalNode | undefined;

  /** This machine, as the downward API describes a pod's node. */
  private node(): LocalNode {
    this.localNode ??= { name: hostname(), ip: '127.0.0.1', capacity: localCapacity(this.o.stateDir) };
    return this.localNode;
  }

  private runtime(uid: string): PodRuntime {
    let rt = this.pods.get(uid);
    if (rt === undefined) {
      rt = { started: false, runs: new Map(), restartTimers: new Map() };
      this.pods.set(uid, rt);
    }
    return rt;
  }

  private clearTimers(rt: PodRuntime): void {
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    rt.restartTimers.clear();
    if (rt.killTimer) clearTimeout(rt.killTimer);
    if (rt.deadlineTimer) clearTimeout(rt.deadlineTimer);
  }

  private forget(uid: string): void {
    const rt = this.pods.get(uid);
    if (rt === undefined) return;
    this.clearTimers(rt);
    for (const run of rt.runs.values()) if (run.poll) clearInterval(run.poll);
    this.pods.delete(uid);
  }

  private startPod(pod: Pod, rt: PodRuntime): void {
    rt.started = true;
    const now = this.o.clock.now();
    // The controller writes a placeholder; the node reports the real one from here on.
    let status = pod.status.conditions.length === 0 ? initialPodStatus(pod, now) : pod.status;
    createPodVolumes(this.o.stateDir, pod, this.c.identity);
    this.warnUnenforced(pod);
    status = this.advance(pod, status, rt);
    this.commit(pod, status);
    this.armDeadline(pod, rt, status);
    this.maybeFinish(pod.uid);
  }

  /** Starts whatever is due next: the next init container, sidecars, or the main containers. */
  private advance(pod: Pod, status: PodStatus, rt: PodRuntime): PodStatus {
    if (rt.ending !== undefined || pod.deletionTimestamp !== undefined) return status;
    let s = status;
    const idle = (name: string): boolean => !rt.runs.has(name) && !rt.restartTimers.has(name);
    for (const c of pod.spec.initContainers) {
      const cs = statusOf(s, c.name);
      if (c.restartPolicy === 'Always') {
        // A sidecar is started in its turn and then left running; its exits go through the restart timer.
        if (idle(c.name) && cs?.started !== true && cs?.state.terminated === undefined && cs?.lastState === undefined) {
          s = this.startContainer(pod, c, cs?.restartCount ?? 0, s, rt);
        }
        continue;
      }
      if (cs?.state.terminated?.exitCode === 0) continue;
      if (!idle(c.name) || cs?.state.terminated !== undefined || rt.ending !== undefined) return s;
      return this.startContainer(pod, c, cs?.restartCount ?? 0, s, rt);
    }
    if (!s.conditions.some((c) => c.type === 'Initialized' && c.status === 'True')) s = podInitialized(s, this.o.clock.now());
    for (const c of pod.spec.containers) {
      const cs = statusOf(s, c.name);
      const fresh = cs === undefined || (cs.state.waiting !== undefined && cs.lastState === undefined && cs.started !== true && cs.restartCount === 0);
      if (fresh && idle(c.name) && rt.ending === undefined) s = this.startContainer(pod, c, 0, s, rt);
    }
    return s;
  }

  /** Spawns one container run and returns the status with it running (or failed to start). */
  private startContainer(pod: Pod, c: Container, attempt: number, status: PodStatus, rt: PodRuntime): PodStatus {
    const now = this.o.clock.now();
    const ctx = this.o.context(pod);
    const id = this.c.identity;
    // A dropped user gets its own HOME, as a runtime takes it from the image's passwd; the container's env still wins.
    const base = { ...ctx.env, ...(id === undefined ? {} : { HOME: id.home }), ...volumeMountEnv(this.o.stateDir, pod, c, id) };
    const env = containerEnv({ pod, container: c, base, node: this.node() });
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
    ensureDir(runDir);
    ensureDir(logDir);
    const leaf = `${c.name}.${attempt}`;
    const join = this.prepareCgroup(pod, c, leaf);
    const spawnAs = this.c.switchBy === 'spawn' && id !== undefined ? { uid: id.uid, gid: id.gid } : undefined;
    // A supervisor switched by spawn writes its records as the pod's user.
    if (spawnAs !== undefined) chownSync(runDir, spawnAs.uid, spawnAs.gid);
    const spawned = spawnContainer({ runDir, logPath, argv, env, cwd, join, prefix: this.c.prefix, wrapper: this.wrapper, ...(spawnAs === undefined ? {} : { spawnAs }) });
    if (spawnAs !== undefined) this.joinFor(pod.uid, leaf, join, spawned.pid, runDir);
    // Written by us right after spawn: with the kernel start time, it lets a
    // restarted daemon tell our supervisor from a process that reused its pid.
    writeAtomic(`${runDir}/supervisor`, `${spawned.pid} ${spawned.startTime ?? ''}\n`);
    const run: ContainerRun = { attempt, runDir, pid: spawned.pid, startTime: spawned.startTime, signalled: false };
    if (join.length > 0) run.leaf = leaf;
    rt.runs.set(c.name, run);
    this.stamper.watch(logPath);
    spawned.exited.then((code) => {
      if (code !== undefined) run.exitCode = code;
      this.onRunExit(pod.uid, c.name, run);
    });
    return containerStarted(status, c.name, now, attempt);
  }

  private onRunExit(podUid: string, name: string, run: ContainerRun): void {
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    if (rt === undefined || rt.runs.get(name) !== run) return;
    if (run.poll) clearInterval(run.poll);
    delete run.poll;
    if (this.draining(podUid, name, run)) return;
    rt.runs.delete(name);
    const pod = getPod(this.o.db, podUid);
    if (pod === undefined) return;
    const t = readTermination(run, pod, name, this.o.clock.now(), this.oomKilled(podUid, run));
    if (t.reason === 'Lost') this.killLostWorkload(pod.uid, run);
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt);
    this.stamper.finish(logPath);
    let status: PodStatus;
    try {
      status = this.advance(pod, this.afterExit(pod, name, t, pod.status, rt), rt);
      // The container's end and the pod's new status: one transaction.
      this.o.db.transaction(() => {
        recordContainerTermination(this.o.db, pod.uid, { ...t, container: name, attempt: run.attempt, logPath });
        putPodStatus(this.o.db, pod.uid, status, this.o.clock.now());
      })();
    } catch (err) {
      // A write that failed (a full disk) is tried again: the run is not forgotten.
      this.o.logger.error('could not record a container end; retrying', { pod: `${pod.namespace}/${pod.name}`, container: name, error: err instanceof Error ? err.message : String(err) });
      for (const timer of rt.restartTimers.values()) clearTimeout(timer);
      rt.restartTimers.clear();
      rt.runs.set(name, run);
      const retry = setTimeout(() => this.onRunExit(podUid, name, run), 1000);
      retry.unref();
      return;
    }
    if (run.leaf !== undefined) this.c.cgroups?.remove(podUid, run.leaf);
    this.o.logger.info('container exited', {
      pod: `${pod.namespace}/${pod.name}`,
      container: name,
      exitCode: t.exitCode,
      reason: t.reason,
    });
    this.notify(pod.uid);
    this.maybeFinish(pod.uid);
  }

  /**
   * A supervisor that vanished without recording an exit leaves its workload
   * running as an orphan: end it, if it is still the process we started.
   */
  private killLostWorkload(podUid: string, run: ContainerRun): void {
    const pgid = readWorkloadPid(run.runDir);
    if (pgid !== undefined && isOurWorkload(pgid, run.startTime)) signalGroup(pgid, 'SIGKILL');
    if (run.leaf !== undefined) this.c.cgroups?.kill(podUid, run.leaf);
  }

  /**
   * After a container ended: a restart in place (OnFailure for init and main
   * containers, always for a sidecar while the main containers run), or, for
   * an init container that failed under Never, the end of the pod.
   */
  private afterExit(pod: Pod, name: string, t: ContainerStateTerminated, status: PodStatus, rt: PodRuntime): PodStatus {
    const now = this.o.clock.now();
    let s = containerTerminated(status, name, t, now);
    const winding = pod.deletionTimestamp !== undefined || rt.ending !== undefined;
    const role = roleOf(pod, name);
    let restart = false;
    if (role === 'sidecar') restart = !winding && !this.mainContainersDone(pod, s, rt);
    else if (t.exitCode !== 0 && !winding) {
      restart = pod.spec.restartPolicy === 'OnFailure';
      if (!restart && role === 'init') rt.ending = { failed: true };
    }
    if (!restart) return s;
    const cs = statusOf(s, name);
    const restarts = cs?.restartCount ?? 0;
    // 0 before the first restart, then base, 2·base … capped at 30·base (the kubelet's 10 s … 5 min).
    const delay = restarts === 0 ? 0 : Math.min(this.o.containerBackoffBaseMs * 2 ** (restarts - 1), this.o.containerBackoffBaseMs * 30);
    const backoffText = `back-off ${formatSeconds(delay)} restarting failed container=${name} pod=${pod.name}_${pod.namespace}(${pod.uid})`;
    s = containerWaitingToRestart(s, name, 'CrashLoopBackOff', backoffText, now);
    this.scheduleRestart(pod.uid, name, rt, delay);
    return s;
  }

  private scheduleRestart(podUid: string, name: string, rt: PodRuntime, delay: number): void {
    const timer = setTimeout(() => {
      rt.restartTimers.delete(name);
      this.restartContainer(podUid, name);
    }, delay);
    timer.unref();
    rt.restartTimers.set(name, timer);
  }

  /** Every main container has ended and none will run again. */
  private mainContainersDone(pod: Pod, status: PodStatus, rt: PodRuntime): boolean {
    return pod.spec.containers.every((c) => statusOf(status, c.name)?.state.terminated !== undefined && !rt.restartTimers.has(c.name) && !rt.runs.has(c.name));
  }

  private restartContainer(podUid: string, name: string): void {
    if (this.stopped) return;
    const pod = getPod(this.o.db, podUid);
    const rt = this.runtime(podUid);
    if (pod === undefined || pod.deletionTimestamp !== undefined || rt.ending !== undefined) {
      this.maybeFinish(podUid);
      return;
    }
    const c = pod.spec.containers.find((x) => x.name === name) ?? pod.spec.initContainers.find((x) => x.name === name);
    if (c === undefined) return;
    const attempt = (statusOf(pod.status, name)?.restartCount ?? 0) + 1;
    let status = this.startContainer(pod, c, attempt, pod.status, rt);
    status = this.advance(pod, status, rt);
    this.commit(pod, status);
    this.maybeFinish(podUid);
  }

  private commit(pod: Pod, status: PodStatus): void {
    this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
    this.notify(pod.uid);
  }

  private notify(podUid: string): void {
    const pod = getPod(this.o.db, podUid);
    if (pod !== undefined) this.o.onPodChange(pod);
  }

  /** pod.spec.activeDeadlineSeconds, counted from the pod's start as the kubelet does. */
  private armDeadline(pod: Pod, rt: PodRuntime, status: PodStatus): void {
    const ads = pod.spec.activeDeadlineSeconds;
    if (ads === undefined || status.startTime === undefined || rt.deadlineTimer !== undefined) return;
    const due = status.startTime + ads * 1000;
    rt.deadlineTimer = setTimeout(() => this.onDeadline(pod.uid), Math.max(0, due - this.o.clock.now()));
    rt.deadlineTimer.unref();
  }

  private onDeadline(podUid: string): void {
    if (this.stopped) return;
    const pod = getPod(this.o.db, podUid);
    const rt = this.pods.get(podUid);
    if (pod === undefined || rt === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    if (pod.deletionTimestamp !== undefined || rt.ending !== undefined) return;
    rt.ending = DEADLINE_EXCEEDED;
    this.o.logger.info('pod deadline exceeded', { pod: `${pod.namespace}/${pod.name}` });
    this.windDown(rt, this.o.clock.now() + pod.spec.terminationGracePeriodSeconds * 1000, pod.uid);
    this.maybeFinish(podUid);
  }

  /**
   * When nothing of the pod runs and nothing will restart, the pod has reached
   * its phase. Sidecars still running once the main containers are done are
   * stopped first.
   */
  private maybeFinish(podUid: string): void {
    const pod = getPod(this.o.db, podUid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const rt = this.runtime(podUid);
    const winding = pod.deletionTimestamp !== undefined || rt.ending !== undefined;
    if (!winding && !this.mainContainersDone(pod, pod.status, rt)) return;
    if (rt.runs.size > 0) {
      if (!winding) this.windDown(rt, this.o.clock.now() + pod.spec.terminationGracePeriodSeconds * 1000, pod.uid);
      return;
    }
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    rt.restartTimers.clear();
    const status = podFinished(pod.status, this.o.clock.now(), rt.ending ?? {});
    try {
      this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
    } catch (err) {
      this.o.logger.error('could not record a pod end; retrying', { pod: `${pod.namespace}/${pod.name}`, error: err instanceof Error ? err.message : String(err) });
      const retry = setTimeout(() => this.maybeFinish(podUid), 1000);
      retry.unref();
      return;
    }
    this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: status.phase, ...(status.reason ? { reason: status.reason } : {}) });
    this.forget(podUid);
    removePodVolumes(this.o.stateDir, podUid);
    this.removePodCgroup(podUid);
    this.o.onPodChange({ ...pod, status });
  }

  /** SIGTERM to every running container's process group, SIGKILL at `killAt`. Restarts are cancelled. */
  private windDown(rt: PodRuntime, killAt: number, podUid: string): void {
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    rt.restartTimers.clear();
    for (const run of rt.runs.values()) {
      if (!run.signalled) {
        run.signalled = true;
        this.killRun(run, 'SIGTERM', podUid);
      }
    }
    if (rt.killTimer === undefined && rt.runs.size > 0) {
      rt.killTimer = setTimeout(() => {
        for (const run of rt.runs.values()) this.killRun(run, 'SIGKILL', podUid);
      }, Math.max(0, killAt - this.o.clock.now()));
      rt.killTimer.unref();
    }
  }

  /** Graceful deletion: SIGTERM to every container's process group, SIGKILL after the grace period. */
  private terminate(pod: Pod, rt: PodRuntime): void {
    if (rt.runs.size === 0) {
      this.maybeFinish(pod.uid);
      return;
    }
    const graceMs = (pod.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds) * 1000;
    this.windDown(rt, (pod.deletionTimestamp ?? this.o.clock.now()) + graceMs, pod.uid);
  }

  /** The process group gets the signal; SIGKILL also reaches, through the cgroup, whatever left the group. */
  private killRun(run: ContainerRun, signal: NodeJS.Signals, podUid: string): void {
    if (signal === 'SIGKILL' && run.leaf !== undefined) this.c.cgroups?.kill(podUid, run.leaf);
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

  /**
   * A container has ended when its main process has, as in Kubernetes, where
   * the rest of a container dies with its init process: anything it left
   * running (a daemonized child, a setsid escapee) is killed through the
   * cgroup, and the end is recorded once the cgroup is empty. True while that
   * is under way; onRunExit runs again then.
   */
  private draining(podUid: string, name: string, run: ContainerRun): boolean {
    const cg = this.c.cgroups;
    if (cg === undefined || run.leaf === undefined || !cg.populated(podUid, run.leaf)) return false;
    const now = Date.now();
    if (run.drainingSince === undefined) {
      run.drainingSince = now;
      this.o.logger.info('killing processes the container left behind', { pod: podUid, container: name });
    } else if (now - run.drainingSince > DRAIN_LIMIT_MS) {
      this.o.logger.warn('processes of an ended container survive SIGKILL; recording its end anyway', { pod: podUid, container: name });
      return false;
    }
    cg.kill(podUid, run.leaf);
    const again = setTimeout(() => this.onRunExit(podUid, name, run), 10);
    again.unref();
    return true;
  }

  /** The same, at recovery, where the end is recorded in the same pass: a short bounded wait. */
  private drainNow(podUid: string, leaf: string): void {
    const cg = this.c.cgroups;
    if (cg === undefined || !cg.populated(podUid, leaf)) return;
    cg.kill(podUid, leaf);
    const until = Date.now() + 500;
    while (cg.populated(podUid, leaf) && Date.now() < until) {
      // SIGKILL is delivered at once; the processes are gone within microseconds
    }
  }

  private oomKilled(podUid: string, run: ContainerRun): boolean {
    return run.leaf !== undefined && (this.c.cgroups?.oomKills(podUid, run.leaf) ?? 0) > 0;
  }

  /** Creates the run's cgroup with its limits; the files its supervisor joins (none without cgroups). */
  private prepareCgroup(pod: Pod, c: Container, leaf: string): string[] {
    const cg = this.c.cgroups;
    if (cg === undefined) return [];
    try {
      const r = cg.prepareRun(pod.uid, leaf, runLimits(c));
      const failed = r.failed.filter((l) => l !== 'pids');
      if (failed.length > 0) this.warnLimits(pod, c, failed, 'could not be applied');
      if (r.failed.includes('pids')) this.o.logger.warn('could not set the pod pids limit', { pod: `${pod.namespace}/${pod.name}` });
      return r.procs;
    } catch (err) {
      // Running without a cgroup beats not running: the pod is then contained by its process group only.
      this.o.logger.warn('could not create the pod cgroup; running it without', { pod: `${pod.namespace}/${pod.name}`, error: err instanceof Error ? err.message : String(err) });
      this.warnLimits(pod, c, Object.keys(c.resources?.limits ?? {}), 'could not be applied');
      return [];
    }
  }

  /** Without setpriv the supervisor runs unprivileged and cannot join its cgroup: we move it, then let it go on. */
  private joinFor(podUid: string, leaf: string, join: string[], pid: number, runDir: string): void {
    try {
      if (join.length > 0) this.c.cgroups?.join(podUid, leaf, pid);
    } catch (err) {
      this.o.logger.warn('could not move the supervisor into its cgroup', { pod: podUid, error: err instanceof Error ? err.message : String(err) });
    }
    writeFileSync(`${runDir}/joined`, '');
  }

  /** A Warning on the pod for each container limit this node does not enforce: the pod still runs. */
  private warnUnenforced(pod: Pod): void {
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
      const names = unenforcedLimits(c, this.c.cgroups);
      if (names.length > 0) this.warnLimits(pod, c, names, 'not enforced on this node');
    }
  }

  private warnLimits(pod: Pod, c: Container, names: string[], what: string): void {
    const list = names.map((n) => `limits.${n}`).join(', ');
    const why = this.c.cgroups === undefined ? 'gitjobs has no cgroups on this host' : 'gitjobs enforces cpu and memory limits only, where a cgroup controller for them exists';
    const message = `Container ${c.name}: ${list} ${what} (${why})`;
    try {
      this.o.db.transaction(() =>
        recordEvent(this.o.db, { object: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid }, type: 'Warning', reason: 'LimitNotEnforced', message, source: 'kubelet' }, this.o.clock.now()),
      )();
    } catch {
      // an event lost to a full disk; the pod runs all the same
    }
    this.o.logger.warn('limit not enforced', { pod: `${pod.namespace}/${pod.name}`, container: c.name, limits: list });
  }

  /** Once a pod is gone: its cgroup goes, after whatever still runs in it (retried until it is empty). */
  private removePodCgroup(podUid: string, tries = 0): void {
    const cg = this.c.cgroups;
    if (cg === undefined || cg.remove(podUid)) return;
    cg.kill(podUid);
    if (tries >= 50) {
      this.o.logger.warn('could not remove a pod cgroup', { pod: podUid, cgroup: cg.trackingDir(podUid) });
      return;
    }
    const again = setTimeout(() => this.removePodCgroup(podUid, tries + 1), 100);
    again.unref();
  }

  private recoverPod(pod: Pod): void {
    const rt = this.runtime(pod.uid);
    const all = [...pod.spec.initContainers, ...pod.spec.containers];
    const anyRan = all.some((c) => {
      const cs = statusOf(pod.status, c.name);
      return cs?.started === true || cs?.state.terminated !== undefined || cs?.lastState !== undefined;
    });
    // A daemon killed between spawning a container and recording it leaves the
    // supervisor's own files behind: that container did start and must not start twice.
    const spawned = anyRan ? [] : all.filter((c) => spawnedAt(podRunDir(this.o.stateDir, pod.uid, c.name, 0)) !== undefined);
    if (pod.status.phase === 'Pending' && !anyRan && spawned.length === 0 && pod.deletionTimestamp === undefined) {
      this.startPod(pod, rt);
      return;
    }
    rt.started = true;
    let status = pod.status;
    let changed = false;
    for (const c of spawned) {
      status = containerStarted(status, c.name, spawnedAt(podRunDir(this.o.stateDir, pod.uid, c.name, 0))!, 0);
      changed = true;
    }
    for (const c of all) {
      const cs = statusOf(status, c.name);
      if (cs === undefined || cs.state.terminated !== undefined) continue;
      const attempt = cs.restartCount;
      const runDir = podRunDir(this.o.stateDir, pod.uid, c.name, attempt);
      if (cs.state.waiting !== undefined) {
        if (pod.deletionTimestamp === undefined && cs.state.waiting.reason === 'CrashLoopBackOff') {
          this.scheduleRestart(pod.uid, c.name, rt, this.o.containerBackoffBaseMs);
        }
        continue;
      }
      const sup = readSupervisor(runDir);
      const run: ContainerRun = { attempt, runDir, pid: sup?.pid ?? 0, startTime: sup?.startTime, signalled: false };
      if (this.c.cgroups !== undefined) run.leaf = `${c.name}.${attempt}`;
      if (readExitCode(runDir) !== undefined || sup === undefined || !isSameProcessAlive(sup.pid, sup.startTime)) {
        // Ended while we were away (exit file), or lost with its supervisor.
        const t = readTermination(run, pod, c.name, this.o.clock.now(), this.oomKilled(pod.uid, run));
        if (t.reason === 'Lost') this.killLostWorkload(pod.uid, run);
        // What it left behind goes before its end is recorded; the leaf itself with the pod.
        else if (run.leaf !== undefined) this.drainNow(pod.uid, run.leaf);
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
        if (readExitCode(runDir) !== undefined || !isSameProcessAlive(run.pid, run.startTime)) this.onRunExit(pod.uid, c.name, run);
      }, 200);
      run.poll.unref();
      this.o.logger.info('re-attached to running container', { pod: `${pod.namespace}/${pod.name}`, container: c.name, pid: run.pid });
    }
    // An init container that failed for good before the restart still ends the pod.
    const failedInit = pod.spec.initContainers.some(
      (c) => c.restartPolicy !== 'Always' && (statusOf(status, c.name)?.state.terminated?.exitCode ?? 0) !== 0,
    );
    if (failedInit && pod.spec.restartPolicy === 'Never') rt.ending ??= { failed: true };
    if (pod.deletionTimestamp !== undefined) {
      if (changed) this.commit(pod, status);
      this.terminate(pod, rt);
      return;
    }
    const advanced = this.advance(pod, status, rt);
    if (changed || advanced !== status) this.commit(pod, advanced);
    this.armDeadline(pod, rt, advanced);
    if (rt.ending !== undefined) this.windDown(rt, this.o.clock.now() + pod.spec.terminationGracePeriodSeconds * 1000, pod.uid);
    this.maybeFinish(pod.uid);
  }
}

/** `oomKilled`: the run's memory cgroup saw the OOM killer, which Kubernetes reports as the reason. */
function readTermination(run: ContainerRun, pod: Pod, name: string, now: number, oomKilled = false): ContainerStateTerminated {
  const exitFile = `${run.runDir}/exit`;
  const cs = statusOf(pod.status, name);
  const startedAt = cs?.state.running?.startedAt;
  const code = readExitCode(run.runDir) ?? run.exitCode;
  if (code !== undefined) {
    let finishedAt = now;
    try {
      finishedAt = Math.floor(statSync(exitFile).mtimeMs);
    } catch {
      // no exit file (it could not be written), but the supervisor, our child, told us
    }
    const t: ContainerStateTerminated = { exitCode: code, reason: oomKilled && code !== 0 ? 'OOMKilled' : terminationReason(code), finishedAt };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  }
  // No exit status: the supervisor itself was killed, so nobody saw the end (unless the OOM killer did it).
  if (oomKilled) {
    const t: ContainerStateTerminated = { exitCode: 137, reason: 'OOMKilled', finishedAt: now };
    if (startedAt !== undefined) t.startedAt = startedAt;
    return t;
  }
  const t: ContainerStateTerminated = {
    exitCode: 137,
    reason: 'Lost',
    message: 'the container supervisor ended without recording an exit status',
    finishedAt: now,
  };
  if (startedAt !== undefined) t.startedAt = startedAt;
  return t;
}

/** The exit status the supervisor recorded; undefined while it is absent or still being written. */
function readExitCode(runDir: string): number | undefined {
  try {
    const text = readFileSync(`${runDir}/exit`, 'utf8');
    return /^\d+\n$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a folder whose parent usually exists: one mkdir, where a recursive
 * one costs ten times as much; the recursive form only when a parent is missing.
 */
function ensureDir(path: string): void {
  try {
    mkdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT') throw err;
    // The parent (a new pod's folder) is missing: make it flat too, then this one.
    ensureDir(dirname(path));
    mkdirSync(path);
  }
}

/** When a container run's supervisor left its first record, if it did. */
function spawnedAt(runDir: string): number | undefined {
  for (const f of ['supervisor', 'workload.pid']) {
    try {
      return Math.floor(statSync(`${runDir}/${f}`).mtimeMs);
    } catch {
      // not there
    }
  }
  return undefined;
}

function readWorkloadPid(runDir: string): number | undefined {
  try {
    // A record still being written (empty, or without its newline) is not one yet.
    const text = readFileSync(`${runDir}/workload.pid`, 'utf8');
    const v = /^\d+\n$/.test(text) ? Number(text) : NaN;
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
