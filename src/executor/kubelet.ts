import type { Container, ContainerStateTerminated, Pod, PodStatus } from '../api/types.js';
import { listLivePods, putPodStatus, recordContainerTermination } from '../store/pods.js';
import { NO_CONTAINMENT, type Containment } from './containment.js';
import type { PodIdentity } from './identity.js';
import type { KubeletOptions } from './kubelet-options.js';
import { findPod } from './kubelet-recovery.js';
import { PodUids } from './pod-uids.js';
import { LogStamper } from './log-stamps.js';
import { containerLogPath } from './paths.js';
import {
  containerStarted,
  containerTerminated,
  containerWaitingToRestart,
  initialPodStatus,
  podFinished,
  podInitialized,
  withPodCondition,
} from './pod-status.js';
import { DirectSpawner, type Spawner } from './spawner.js';
import { chooseSupervisor, installSupervisor } from './supervisor.js';
import { PodCgroupOps } from './pod-cgroup-ops.js';
import { ContainerRunner } from './container-runner.js';
import { cancelRestarts, DEADLINE_EXCEEDED, readTermination, starting, statusOf, type ContainerRun, type PodRuntime } from './pod-runtime.js';
import { exitOutcome } from './restart-policy.js';
import { PodRows } from './pod-rows.js';
import { createPodVolumes, removePodVolumes } from './volumes.js';
import { errorMessage } from '../errors.js';


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

  private readonly spawner: Spawner;
  private readonly runner: ContainerRunner;
  private readonly rows: PodRows;
  private readonly cg: PodCgroupOps;
  private readonly uids: PodUids;

  constructor(private readonly o: KubeletOptions) {
    this.c = o.containment ?? NO_CONTAINMENT;
    this.rows = new PodRows(o.db, o.clock, o.onPodChange);
    this.spawner = o.spawner ?? new DirectSpawner(this.c.cgroups);
    this.cg = new PodCgroupOps(this.c.cgroups, o.db, o.clock, o.logger);
    this.uids = new PodUids(this.c.identity, this.c.uidRange, o.stateDir);
    this.runner = new ContainerRunner({
      ...o,
      containment: this.c,
      spawner: this.spawner,
      supervisor: installSupervisor(o.stateDir, this.c.supervisor ?? chooseSupervisor()),
      cg: this.cg,
      podUidOf: (uid) => this.uids.uidOf(uid),
      events: { started: (uid, name, run, logPath) => this.onStarted(uid, name, run, logPath), ended: (uid, name, run) => this.onRunExit(uid, name, run) },
    });
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
    const pod = this.rows.load(uid);
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
    const pod = this.rows.load(uid);
    if (pod === undefined || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
    const status = withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.o.clock.now());
    this.rows.write(uid, status);
  }

  /** Stops watching; with stopPods the pods' processes are killed too, otherwise they keep running. */
  shutdown(stopPods: boolean): void {
    this.stopped = true;
    for (const [uid, rt] of this.pods) {
      this.clearTimers(rt);
      for (const run of rt.runs.values()) {
        if (run.poll) clearInterval(run.poll);
        if (stopPods) this.runner.signal(run, 'SIGKILL', uid);
      }
    }
    this.pods.clear();
    this.stamper.closeAll();
    this.spawner.stop();
    this.c.cgroups?.removeParent();
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
    cancelRestarts(rt);
    if (rt.killTimer) clearTimeout(rt.killTimer);
    if (rt.deadlineTimer) clearTimeout(rt.deadlineTimer);
  }

  private forget(uid: string): void {
    this.o.admission?.release(uid);
    this.uids.release(uid);
    this.rows.forget(uid);
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
    this.rows.save(pod, status, starting(rt));
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
    const id = this.identityOf(pod);
    const prepared = this.runner.prepare(pod, c, this.o.context(pod), id, (reason, message) => this.rows.warn(pod, reason, message));
    if ('configError' in prepared) return this.configError(pod, c, attempt, status, rt, prepared.configError);
    if ('startError' in prepared) {
      // What a container runtime reports when exec fails: the container never ran.
      const message = prepared.startError;
      const t: ContainerStateTerminated = { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now };
      this.o.db.transaction(() => {
        recordContainerTermination(this.o.db, pod.uid, { ...t, container: c.name, attempt, logPath: '' });
      })();
      this.o.logger.warn('container failed to start', { pod: `${pod.namespace}/${pod.name}`, container: c.name, message });
      return this.afterExit(pod, c.name, t, containerStarted(status, c.name, now, attempt), rt);
    }
    rt.runs.set(c.name, this.runner.start(pod, c, attempt, prepared.launch));
    // The container runs once the spawner says so (onStarted); until then it is still being created.
    return status;
  }

  /** A run's supervisor is up: the container is running from now on. */
  private onStarted(podUid: string, name: string, run: ContainerRun, logPath: string): void {
    delete run.starting;
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    const pod = this.rows.load(podUid);
    if (rt === undefined || pod === undefined || rt.runs.get(name) !== run) return;
    this.stamper.watch(logPath);
    // Stopping it was asked for before it ran: now it can be reached.
    if (run.signalled) this.runner.signal(run, 'SIGTERM', podUid);
    const status = containerStarted(pod.status, name, this.o.clock.now(), run.attempt);
    try {
      this.rows.save(pod, status, starting(rt));
    } catch (err) {
      // Its end is recorded all the same, with the start time the status lacks.
      this.o.logger.error('could not record a container start', { pod: `${pod.namespace}/${pod.name}`, container: name, error: errorMessage(err) });
      this.rows.hold(podUid, status);
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
    const pod = this.rows.load(podUid);
    if (pod === undefined) return;
    const t = readTermination(run, pod, name, this.o.clock.now(), this.cg.oomKilled(podUid, run));
    if (t.reason === 'Lost') this.runner.killLost(pod.uid, run);
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
      this.rows.written(pod.uid);
    } catch (err) {
      // A write that failed (a full disk) is tried again: the run is not forgotten.
      this.o.logger.error('could not record a container end; retrying', { pod: `${pod.namespace}/${pod.name}`, container: name, error: errorMessage(err) });
      cancelRestarts(rt);
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
    this.rows.notify(pod.uid);
    this.maybeFinish(pod.uid);
  }

  /** After a container ended: restarted in place after its back-off, or the pod ends (see exitOutcome). */
  private afterExit(pod: Pod, name: string, t: ContainerStateTerminated, status: PodStatus, rt: PodRuntime): PodStatus {
    const now = this.o.clock.now();
    const s = containerTerminated(status, name, t, now);
    const next = exitOutcome({
      pod,
      name,
      exitCode: t.exitCode,
      winding: pod.deletionTimestamp !== undefined || rt.ending !== undefined,
      mainDone: this.mainContainersDone(pod, s, rt),
      restarts: statusOf(s, name)?.restartCount ?? 0,
      backoffBaseMs: this.o.containerBackoffBaseMs,
    });
    if (!next.restart) {
      if (next.failPod) rt.ending = { failed: true };
      return s;
    }
    this.scheduleRestart(pod.uid, name, rt, next.delayMs);
    return containerWaitingToRestart(s, name, 'CrashLoopBackOff', next.message, now);
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
    this.rows.warn(pod, 'Failed', `Error: ${message}`);
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

  private restartContainer(podUid: string, name: string): void {
    this.runAgain(podUid, name, (pod) => (statusOf(pod.status, name)?.restartCount ?? 0) + 1);
  }

  /** Starts a container of a running pod once more (a restart, or a retry after a config error). */
  private runAgain(podUid: string, name: string, attemptOf: (pod: Pod) => number): void {
    if (this.stopped) return;
    const pod = this.rows.load(podUid);
    const rt = this.runtime(podUid);
    if (pod === undefined || pod.deletionTimestamp !== undefined || rt.ending !== undefined) {
      this.maybeFinish(podUid);
      return;
    }
    const c = pod.spec.containers.find((x) => x.name === name) ?? pod.spec.initContainers.find((x) => x.name === name);
    if (c === undefined) return;
    let status = this.startContainer(pod, c, attemptOf(pod), pod.status, rt);
    status = this.advance(pod, status, rt);
    this.rows.save(pod, status, starting(rt));
    this.maybeFinish(podUid);
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
    const pod = this.rows.load(podUid);
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
    const pod = this.rows.load(podUid);
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
      this.rows.write(pod.uid, status);
    } catch (err) {
      this.o.logger.error('could not record a pod end; retrying', { pod: `${pod.namespace}/${pod.name}`, error: errorMessage(err) });
      const retry = setTimeout(() => this.maybeFinish(podUid), 1000);
      retry.unref();
      return;
    }
    this.afterFinish(pod, status, rt);
  }

  private identityOf(pod: Pod): PodIdentity | undefined {
    return this.uids.identityOf(pod.uid, (message) => this.rows.warn(pod, 'UidRangeExhausted', message));
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
    cancelRestarts(rt);
    this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: status.phase, ...(status.reason ? { reason: status.reason } : {}) });
    this.forget(pod.uid);
    removePodVolumes(this.o.stateDir, pod.uid);
    this.removeCgroup(pod.uid);
    this.o.onPodChange({ ...pod, status });
  }

  /** SIGTERM to every running container's process group, SIGKILL at `killAt`. Restarts are cancelled. */
  private windDown(rt: PodRuntime, killAt: number, podUid: string): void {
    cancelRestarts(rt);
    this.runner.stop(rt, killAt - this.o.clock.now(), podUid);
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

  /** A run that ended while no daemon watched it, or was lost with its supervisor: its end is recorded now. */
  private endedWhileAway(pod: Pod, name: string, run: ContainerRun, status: PodStatus, rt: PodRuntime): PodStatus {
    const t = readTermination(run, pod, name, this.o.clock.now(), this.cg.oomKilled(pod.uid, run));
    if (t.reason === 'Lost') this.runner.killLost(pod.uid, run);
    // What it left behind goes before its end is recorded; the leaf itself with the pod.
    else if (run.leaf !== undefined) this.cg.drainNow(pod.uid, run.leaf);
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt);
    this.stamper.finish(logPath);
    recordContainerTermination(this.o.db, pod.uid, { ...t, container: name, attempt: run.attempt, logPath });
    return this.afterExit(pod, name, t, status, rt);
  }

  private recoverPod(pod: Pod): void {
    const rt = this.runtime(pod.uid);
    const found = findPod(this.o.stateDir, pod, this.c.cgroups !== undefined);
    if (found.fresh && pod.status.phase === 'Pending' && pod.deletionTimestamp === undefined) {
      this.startAdmitted(pod, rt);
      return;
    }
    rt.started = true;
    let { status, changed } = found;
    for (const f of found.containers) {
      if (f.kind === 'waiting') {
        if (pod.deletionTimestamp === undefined && f.retry) this.scheduleRestart(pod.uid, f.name, rt, this.o.containerBackoffBaseMs);
      } else if (f.kind === 'ended') {
        status = this.endedWhileAway(pod, f.name, f.run, status, rt);
        changed = true;
      } else {
        rt.runs.set(f.name, f.run);
        this.stamper.watch(containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, f.name, f.run.attempt));
        this.runner.watch(pod.uid, f.name, f.run);
        this.o.logger.info('re-attached to running container', { pod: `${pod.namespace}/${pod.name}`, container: f.name, pid: f.run.pid });
      }
    }
    // An init container that failed for good before the restart still ends the pod.
    const failedInit = pod.spec.initContainers.some(
      (c) => c.restartPolicy !== 'Always' && (statusOf(status, c.name)?.state.terminated?.exitCode ?? 0) !== 0,
    );
    if (failedInit && pod.spec.restartPolicy === 'Never') rt.ending ??= { failed: true };
    if (pod.deletionTimestamp !== undefined) {
      if (changed) this.rows.commit(pod, status);
      this.terminate(pod, rt);
      return;
    }
    const advanced = this.advance(pod, status, rt);
    if (changed || advanced !== status) this.rows.commit(pod, advanced);
    this.armDeadline(pod, rt, advanced);
    if (rt.ending !== undefined) this.windDown(rt, this.o.clock.now() + pod.spec.terminationGracePeriodSeconds * 1000, pod.uid);
    this.maybeFinish(pod.uid);
  }
}
