import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Container, ContainerStateTerminated, Pod, PodStatus } from '../api/types.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getPod, listLivePods, putPodStatus, recordContainerTermination } from '../store/pods.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { containerLaunch, resolveExecutable, type LocalNode } from './env.js';
import { rlimitPrefix } from './rlimits.js';
import { ContainerConfigError, type SecretSource } from './secrets.js';
import { localCapacity, type NodeCapacity } from './resources.js';
import { NO_CONTAINMENT, runLimits, type Containment } from './containment.js';
import type { PodIdentity } from './identity.js';
import { PodUids } from './pod-uids.js';
import { LogStamper } from './log-stamps.js';
import { containerLogDir, containerLogPath, existingRunRecords, runRecords } from './paths.js';
import {
  containerStarted,
  containerTerminated,
  containerWaitingToRestart,
  initialPodStatus,
  podFinished,
  podInitialized,
  withPodCondition,
} from './pod-status.js';
import { isOurWorkload, isSameProcessAlive, signalGroup } from './process.js';
import { readExitCode, readSupervisor, readWorkloadPid, spawnedAt } from './run-records.js';
import { DirectSpawner, type Spawner } from './spawner.js';
import { chooseSupervisor, installSupervisor, type Supervisor } from './supervisor.js';
import { PodCgroupOps } from './pod-cgroup-ops.js';
import { DEADLINE_EXCEEDED, formatSeconds, readTermination, roleOf, statusOf, type ContainerRun, type PodRuntime } from './pod-runtime.js';
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
  /** Who starts container runs; in this process by default. */
  spawner?: Spawner;
  /**
   * The scheduler's say before a pod starts: the pod to start (as bound to this
   * node), or undefined while it waits; told when a pod has ended or is gone.
   * Without it every pod starts at once.
   */
  admission?: { admit(pod: Pod): Pod | undefined; release(uid: string): void };
  /** The node's capacity as the downward API reports it, where it differs from this machine's. */
  nodeCapacity?: Partial<NodeCapacity>;
  /** Where `secretKeyRef` and `envFrom.secretRef` are read from when a container starts; without it no Secret exists. */
  secrets?: SecretSource;
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

  /** This daemon's own copy of the supervisor (see installSupervisor). */
  private readonly supervisor: Supervisor;
  private readonly spawner: Spawner;
  private readonly cg: PodCgroupOps;
  private readonly uids: PodUids;

  constructor(private readonly o: KubeletOptions) {
    this.c = o.containment ?? NO_CONTAINMENT;
    this.supervisor = installSupervisor(o.stateDir, this.c.supervisor ?? chooseSupervisor());
    this.spawner = o.spawner ?? new DirectSpawner(this.c.cgroups);
    this.cg = new PodCgroupOps(this.c.cgroups, o.db, o.clock, o.logger);
    this.uids = new PodUids(this.c.identity, this.c.uidRange, o.stateDir);
    this.stamper = new LogStamper(() => o.clock.now(), this.c.logMaxBytes);
  }

  /** Re-attaches to pods that were running before a restart; starts pods never started. */
  recover(): void {
    const live = this.o.db.transaction(() => listLivePods(this.o.db))();
    // Uids of pods still running stay theirs, before any pod is started afresh.
    for (const pod of live) this.uids.reserve(pod);
    for (const pod of live) {
      this.recoverPod(pod);
    }
    // cgroups of pods that ended (or were deleted) while no daemon ran: whatever is left in them goes.
    for (const uid of this.c.cgroups?.listPods() ?? []) {
      if (!this.pods.has(uid)) this.removeCgroup(uid);
    }
  }

  /** Level-triggered: looks at the pod's row and does what it takes to match it. */
  syncPod(uid: string): void {
    if (this.stopped) return;
    const pod = this.load(uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') {
      this.forget(uid);
      if (pod !== undefined) removePodVolumes(this.o.stateDir, uid);
      // Also for a pod whose row is gone (its Job deleted): nothing of it may stay behind.
      this.removeCgroup(uid);
      return;
    }
    const rt = this.runtime(uid);
    if (pod.deletionTimestamp !== undefined) {
      this.terminate(pod, rt);
      return;
    }
    if (!rt.started && pod.status.phase === 'Pending') this.startAdmitted(pod, rt);
  }

  /** Starts the pod once the scheduler admits it; a pod that must wait is asked about again when capacity frees. */
  private startAdmitted(pod: Pod, rt: PodRuntime): void {
    const bound = this.o.admission === undefined ? pod : this.o.admission.admit(pod);
    if (bound !== undefined) this.startPod(bound, rt);
  }

  /**
   * Marks a pod that is stopped on purpose while its Job still wants it, before
   * it is deleted, as the eviction API does: `onPodConditions` rules match it.
   */
  disrupt(uid: string, reason: string, message: string): void {
    const pod = this.load(uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const status = withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.o.clock.now());
    this.o.db.transaction(() => putPodStatus(this.o.db, uid, status, this.o.clock.now()))();
    this.written(uid);
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
    this.spawner.stop();
    this.c.cgroups?.removeParent();
  }

  private localNode: LocalNode | undefined;

  /** This machine, as the downward API describes a pod's node. */
  private node(): LocalNode {
    this.localNode ??= { name: hostname(), ip: '127.0.0.1', capacity: { ...localCapacity(this.o.stateDir), ...this.o.nodeCapacity } };
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
    this.o.admission?.release(uid);
    this.uids.release(uid);
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
    createPodVolumes(this.o.stateDir, pod, this.identityOf(pod));
    this.cg.warnUnenforced(pod);
    status = this.advance(pod, status, rt);
    this.save(pod, status, rt);
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
    const id = this.identityOf(pod);
    // A dropped user gets its own HOME, as a runtime takes it from the image's passwd; the container's env still wins.
    const base = { ...ctx.env, ...(id === undefined ? {} : { HOME: id.home }), ...volumeMountEnv(this.o.stateDir, pod, c, id) };
    let launch: { env: Record<string, string>; argv: string[] };
    try {
      launch = containerLaunch({ pod, container: c, base, node: this.node(), ...(this.o.secrets === undefined ? {} : { secrets: this.o.secrets }), warn: (reason, message) => this.podWarning(pod, reason, message) });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      return this.configError(pod, c, attempt, status, rt, err.message);
    }
    const { env, argv } = launch;
    const cwd = c.workingDir ?? ctx.cwd;
    const records = runRecords(this.o.stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt);
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
    const leaf = `${c.name}.${attempt}`;
    const spawnAs = this.c.switchBy === 'spawn' && id !== undefined ? { uid: id.uid, gid: id.gid } : undefined;
    const drop = this.c.dropFor(id);
    const run: ContainerRun = { attempt, records, pid: 0, startTime: undefined, signalled: false, starting: true };
    // Known before the spawn is: a kill that comes first reaches the cgroup all the same.
    if (this.c.cgroups !== undefined) run.leaf = leaf;
    rt.runs.set(c.name, run);
    const podKey = `${pod.namespace}/${pod.name}`;
    this.spawner.start(
      {
        records,
        logDir,
        logPath,
        argv,
        env,
        cwd,
        prefix: [...this.c.prefixFor(id), ...rlimitPrefix(pod)],
        supervisor: this.supervisor,
        ...(drop === undefined ? {} : { drop }),
        ...(spawnAs === undefined ? {} : { spawnAs }),
        ...(this.uids.uidOf(pod.uid) === undefined ? {} : { podUid: this.uids.uidOf(pod.uid)! }),
        ...(this.c.cgroups === undefined ? {} : { cgroup: { podUid: pod.uid, leaf, limits: runLimits(c) } }),
      },
      {
        started: (s) => {
          run.pid = s.pid;
          run.startTime = s.startTime;
          if (!s.inCgroup) delete run.leaf;
          this.cg.reportStart(pod, c, s);
          this.onStarted(pod.uid, c.name, run, logPath);
        },
        failed: (message) => {
          delete run.starting;
          delete run.leaf;
          this.o.logger.error('could not start a container', { pod: podKey, container: c.name, error: message });
          run.startError = message;
          this.onRunExit(pod.uid, c.name, run);
        },
        exited: (exit) => {
          if (exit === 'orphaned') {
            // Our spawner went away: the run is no longer anybody's child, so watch its records.
            const wasStarting = run.starting === true;
            this.pollRun(pod.uid, c.name, run);
            if (wasStarting && run.pid !== 0 && rt.runs.get(c.name) === run) this.onStarted(pod.uid, c.name, run, logPath);
            return;
          }
          if (exit !== undefined) run.exitCode = exit;
          this.onRunExit(pod.uid, c.name, run);
        },
      },
    );
    // The container runs once the spawner says so (onStarted); until then it is still being created.
    return status;
  }

  /** A run's supervisor is up: the container is running from now on. */
  private onStarted(podUid: string, name: string, run: ContainerRun, logPath: string): void {
    delete run.starting;
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    const pod = this.load(podUid);
    if (rt === undefined || pod === undefined || rt.runs.get(name) !== run) return;
    this.stamper.watch(logPath);
    // Stopping it was asked for before it ran: now it can be reached.
    if (run.signalled) this.killRun(run, 'SIGTERM', podUid);
    const status = containerStarted(pod.status, name, this.o.clock.now(), run.attempt);
    try {
      this.save(pod, status, rt);
    } catch (err) {
      // Its end is recorded all the same, with the start time the status lacks.
      this.o.logger.error('could not record a container start', { pod: `${pod.namespace}/${pod.name}`, container: name, error: err instanceof Error ? err.message : String(err) });
      rt.unsaved = status;
      return;
    }
    this.armDeadline(pod, rt, status);
  }

  private onRunExit(podUid: string, name: string, run: ContainerRun): void {
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    if (rt === undefined || rt.runs.get(name) !== run) return;
    if (run.poll) clearInterval(run.poll);
    delete run.poll;
    if (this.cg.draining(podUid, name, run, () => this.onRunExit(podUid, name, run))) return;
    rt.runs.delete(name);
    const pod = this.load(podUid);
    if (pod === undefined) return;
    const t = readTermination(run, pod, name, this.o.clock.now(), this.cg.oomKilled(podUid, run));
    if (t.reason === 'Lost') this.killLostWorkload(pod.uid, run);
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt);
    this.stamper.finish(logPath);
    let status: PodStatus;
    let final: PodStatus | undefined;
    try {
      status = this.advance(pod, this.afterExit(pod, name, t, pod.status, rt), rt);
      // The pod's end, when this was its last container, goes in the same write.
      final = this.finalStatus(pod, status, rt);
      // The container's end and the pod's new status: one transaction.
      this.o.db.transaction(() => {
        recordContainerTermination(this.o.db, pod.uid, { ...t, container: name, attempt: run.attempt, logPath });
        putPodStatus(this.o.db, pod.uid, final ?? status, this.o.clock.now());
      })();
      this.written(pod.uid);
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
    this.o.logger.info('container exited', {
      pod: `${pod.namespace}/${pod.name}`,
      container: name,
      exitCode: t.exitCode,
      reason: t.reason,
    });
    if (final !== undefined) {
      this.afterFinish(pod, final, rt);
      return;
    }
    if (run.leaf !== undefined) this.c.cgroups?.remove(podUid, run.leaf);
    this.notify(pod.uid);
    this.maybeFinish(pod.uid);
  }

  /** Watches a run whose supervisor is not our child (after a restart, or once our spawner is gone) through its records. */
  private pollRun(podUid: string, name: string, run: ContainerRun): void {
    if (run.poll) clearInterval(run.poll);
    if (run.pid === 0) {
      // Its spawner went away before telling us the pid: the records say whether it ever ran.
      const sup = readSupervisor(run.records);
      if (sup !== undefined) {
        run.pid = sup.pid;
        run.startTime = sup.startTime;
      } else if (readWorkloadPid(run.records) === undefined && readExitCode(run.records) === undefined) {
        delete run.starting;
        run.startError = 'the process that spawns containers ended before this one started';
        this.onRunExit(podUid, name, run);
        return;
      }
    }
    run.poll = setInterval(() => {
      if (readExitCode(run.records) !== undefined || (run.pid !== 0 && !isSameProcessAlive(run.pid, run.startTime))) this.onRunExit(podUid, name, run);
    }, 200);
    run.poll.unref();
  }

  /**
   * A supervisor that vanished without recording an exit leaves its workload
   * running as an orphan: end it, if it is still the process we started.
   */
  private killLostWorkload(podUid: string, run: ContainerRun): void {
    const pgid = readWorkloadPid(run.records);
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

  /**
   * The container cannot be created as configured (a Secret or key missing, a
   * secrets file refused): as the kubelet, it is not created, waits with reason
   * CreateContainerConfigError, and is tried again after the back-off base, so
   * a Secret created meanwhile lets it start. The message never holds a value.
   */
  private configError(pod: Pod, c: Container, attempt: number, status: PodStatus, rt: PodRuntime, message: string): PodStatus {
    this.podWarning(pod, 'Failed', `Error: ${message}`);
    this.o.logger.warn('container config error', { pod: `${pod.namespace}/${pod.name}`, container: c.name, message });
    const timer = setTimeout(() => {
      rt.restartTimers.delete(c.name);
      this.retryConfig(pod.uid, c.name, attempt);
    }, this.o.containerBackoffBaseMs);
    timer.unref();
    rt.restartTimers.set(c.name, timer);
    return containerWaitingToRestart(status, c.name, 'CreateContainerConfigError', message, this.o.clock.now());
  }

  private retryConfig(podUid: string, name: string, attempt: number): void {
    this.runAgain(podUid, name, () => attempt);
  }

  private podWarning(pod: Pod, reason: string, message: string): void {
    try {
      this.o.db.transaction(() =>
        recordEvent(this.o.db, { object: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid }, type: 'Warning', reason, message, source: 'kubelet' }, this.o.clock.now()),
      )();
    } catch {
      // an event lost to a full disk; the pod's status still says it
    }
  }

  private restartContainer(podUid: string, name: string): void {
    this.runAgain(podUid, name, (pod) => (statusOf(pod.status, name)?.restartCount ?? 0) + 1);
  }

  /** Starts a container of a running pod once more (a restart, or a retry after a config error). */
  private runAgain(podUid: string, name: string, attemptOf: (pod: Pod) => number): void {
    if (this.stopped) return;
    const pod = this.load(podUid);
    const rt = this.runtime(podUid);
    if (pod === undefined || pod.deletionTimestamp !== undefined || rt.ending !== undefined) {
      this.maybeFinish(podUid);
      return;
    }
    const c = pod.spec.containers.find((x) => x.name === name) ?? pod.spec.initContainers.find((x) => x.name === name);
    if (c === undefined) return;
    let status = this.startContainer(pod, c, attemptOf(pod), pod.status, rt);
    status = this.advance(pod, status, rt);
    this.save(pod, status, rt);
    this.maybeFinish(podUid);
  }

  private commit(pod: Pod, status: PodStatus): void {
    this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
    this.written(pod.uid);
    this.notify(pod.uid);
  }

  /** Commits, unless containers of the pod are still being started: their start commits it all. */
  private save(pod: Pod, status: PodStatus, rt: PodRuntime): void {
    if ([...rt.runs.values()].some((r) => r.starting === true)) rt.unsaved = status;
    else this.commit(pod, status);
  }

  /** The pod as this kubelet sees it: its row, with the status not yet written. */
  private load(uid: string): Pod | undefined {
    const pod = getPod(this.o.db, uid);
    const unsaved = this.pods.get(uid)?.unsaved;
    return pod === undefined || unsaved === undefined ? pod : { ...pod, status: unsaved };
  }

  private written(uid: string): void {
    const rt = this.pods.get(uid);
    if (rt !== undefined) delete rt.unsaved;
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
    const pod = this.load(podUid);
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
    const pod = this.load(podUid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const rt = this.runtime(podUid);
    const winding = pod.deletionTimestamp !== undefined || rt.ending !== undefined;
    if (!winding && !this.mainContainersDone(pod, pod.status, rt)) return;
    if (rt.runs.size > 0) {
      if (!winding) this.windDown(rt, this.o.clock.now() + pod.spec.terminationGracePeriodSeconds * 1000, pod.uid);
      return;
    }
    const status = podFinished(pod.status, this.o.clock.now(), rt.ending ?? {});
    try {
      this.o.db.transaction(() => putPodStatus(this.o.db, pod.uid, status, this.o.clock.now()))();
      this.written(pod.uid);
    } catch (err) {
      this.o.logger.error('could not record a pod end; retrying', { pod: `${pod.namespace}/${pod.name}`, error: err instanceof Error ? err.message : String(err) });
      const retry = setTimeout(() => this.maybeFinish(podUid), 1000);
      retry.unref();
      return;
    }
    this.afterFinish(pod, status, rt);
  }

  private identityOf(pod: Pod): PodIdentity | undefined {
    return this.uids.identityOf(pod.uid, (message) => this.podWarning(pod, 'UidRangeExhausted', message));
  }

  private removeCgroup(uid: string): void {
    if (this.c.cgroups === undefined) return;
    this.spawner.removeCgroup(uid, (dir) => this.o.logger.warn('could not remove a pod cgroup', { pod: uid, cgroup: dir }));
  }

  /** The status a pod ends with, once nothing of it runs and nothing will restart; undefined before. */
  private finalStatus(pod: Pod, status: PodStatus, rt: PodRuntime): PodStatus | undefined {
    if (status.phase === 'Succeeded' || status.phase === 'Failed' || rt.runs.size > 0) return undefined;
    const winding = pod.deletionTimestamp !== undefined || rt.ending !== undefined;
    if (!winding && !this.mainContainersDone(pod, status, rt)) return undefined;
    return podFinished(status, this.o.clock.now(), rt.ending ?? {});
  }

  /** Once a pod's end is written: nothing of it is kept, and its Job hears of it. */
  private afterFinish(pod: Pod, status: PodStatus, rt: PodRuntime): void {
    for (const t of rt.restartTimers.values()) clearTimeout(t);
    rt.restartTimers.clear();
    this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: status.phase, ...(status.reason ? { reason: status.reason } : {}) });
    this.forget(pod.uid);
    removePodVolumes(this.o.stateDir, pod.uid);
    this.removeCgroup(pod.uid);
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
    const pgid = readWorkloadPid(run.records);
    if (pgid !== undefined) {
      signalGroup(pgid, signal);
      return;
    }
    // The supervisor has not yet written the workload's pid: try again shortly.
    const retry = setTimeout(() => {
      const later = readWorkloadPid(run.records);
      if (later !== undefined) signalGroup(later, signal);
    }, 20);
    retry.unref();
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
    const spawned = anyRan ? [] : all.filter((c) => spawnedAt(existingRunRecords(this.o.stateDir, pod, c.name, 0)) !== undefined);
    if (pod.status.phase === 'Pending' && !anyRan && spawned.length === 0 && pod.deletionTimestamp === undefined) {
      this.startAdmitted(pod, rt);
      return;
    }
    rt.started = true;
    let status = pod.status;
    let changed = false;
    for (const c of spawned) {
      status = containerStarted(status, c.name, spawnedAt(existingRunRecords(this.o.stateDir, pod, c.name, 0))!, 0);
      changed = true;
    }
    for (const c of all) {
      const cs = statusOf(status, c.name);
      if (cs === undefined || cs.state.terminated !== undefined) continue;
      const attempt = cs.restartCount;
      const records = existingRunRecords(this.o.stateDir, pod, c.name, attempt);
      if (cs.state.waiting !== undefined) {
        // A restart held back by a config error is tried again too; a first start is advance()'s.
        const retry = cs.state.waiting.reason === 'CrashLoopBackOff' || (cs.state.waiting.reason === 'CreateContainerConfigError' && cs.lastState !== undefined);
        if (pod.deletionTimestamp === undefined && retry) {
          this.scheduleRestart(pod.uid, c.name, rt, this.o.containerBackoffBaseMs);
        }
        continue;
      }
      const sup = readSupervisor(records);
      const run: ContainerRun = { attempt, records, pid: sup?.pid ?? 0, startTime: sup?.startTime, signalled: false };
      if (this.c.cgroups !== undefined) run.leaf = `${c.name}.${attempt}`;
      if (readExitCode(records) !== undefined || sup === undefined || !isSameProcessAlive(sup.pid, sup.startTime)) {
        // Ended while we were away (exit file), or lost with its supervisor.
        const t = readTermination(run, pod, c.name, this.o.clock.now(), this.cg.oomKilled(pod.uid, run));
        if (t.reason === 'Lost') this.killLostWorkload(pod.uid, run);
        // What it left behind goes before its end is recorded; the leaf itself with the pod.
        else if (run.leaf !== undefined) this.cg.drainNow(pod.uid, run.leaf);
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
      this.pollRun(pod.uid, c.name, run);
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
