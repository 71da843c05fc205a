import { isPodTerminal } from '../api/pods.js';
import type { Pod, PodStatus } from '../api/types.js';
import { errorMessage } from '../errors.js';
import { listLivePods, type ContainerTermination } from '../store/pods.js';
import { ContainerRunner } from './container-runner.js';
import { NO_CONTAINMENT, type Containment } from './containment.js';
import type { KubeletOptions } from './kubelet-options.js';
import { findPod } from './kubelet-recovery.js';
import { LogStamper } from './log-stamps.js';
import { containerLogPath } from './paths.js';
import { PodCgroupOps } from './pod-cgroup-ops.js';
import { admittedStatus, containerConfigError, containerExited, containerFailedToStart, reconcilePod, type ContainerStart, type PodInput } from './pod-lifecycle.js';
import { cancelRestarts, DEADLINE_EXCEEDED, newPodRuntime, readTermination, runsOf, starting, statusOf, type ContainerRun, type PodRuntime } from './pod-runtime.js';
import { PodRows } from './pod-rows.js';
import { containerStarted, withPodCondition } from './pod-status.js';
import { PodUids } from './pod-uids.js';
import { DirectSpawner, type Spawner } from './spawner.js';
import { chooseSupervisor, installSupervisor } from './supervisor.js';
import { createPodVolumes, removePodVolumes } from './volumes.js';

/**
 * The node agent, an applier as the Job controller is: on each event it loads
 * the pod's row, asks the pure lifecycle (pod-lifecycle.ts) for a plan, starts
 * and signals runs, sets timers, writes once (PodRows.put) and tells the
 * controller. It owns the pods' runtime status and nothing else. Every wait is
 * a timer; nothing blocks.
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
    for (const pod of live) this.recoverPod(pod);
    // cgroups of pods that ended (or were deleted) while no daemon ran: whatever is left in them goes.
    for (const uid of this.c.cgroups?.listPods() ?? []) if (!this.pods.has(uid)) this.removeCgroup(uid);
  }

  /** Level-triggered: looks at the pod's row and does what it takes to match it. */
  syncPod(uid: string): void {
    if (this.stopped) return;
    const pod = this.rows.load(uid);
    if (pod === undefined || isPodTerminal(pod)) {
      this.forget(uid);
      if (pod !== undefined) removePodVolumes(this.o.stateDir, uid);
      // Also for a pod whose row is gone (its Job deleted): nothing of it may stay behind.
      this.removeCgroup(uid);
      return;
    }
    const rt = this.runtime(uid);
    if (pod.deletionTimestamp !== undefined) this.settle(pod, pod.status, rt, [], false);
    else if (!rt.started && pod.status.phase === 'Pending') this.startAdmitted(pod, rt);
  }

  /** Marks a pod stopped on purpose while its Job still wants it, as the eviction API does: `onPodConditions` rules match it. */
  disrupt(uid: string, reason: string, message: string): void {
    const pod = this.rows.load(uid);
    if (pod === undefined || isPodTerminal(pod)) return;
    this.rows.put(uid, withPodCondition(pod.status, 'DisruptionTarget', reason, message, this.o.clock.now()), [], false);
  }

  /** Stops watching; with stopPods the pods' processes are killed too, otherwise they keep running. */
  shutdown(stopPods: boolean): void {
    this.stopped = true;
    for (const [uid, rt] of this.pods) {
      this.clearTimers(rt);
      for (const run of rt.runs.values()) if (stopPods) this.runner.signal(run, 'SIGKILL', uid);
    }
    this.pods.clear();
    this.stamper.closeAll();
    this.spawner.stop();
    this.c.cgroups?.removeParent();
  }

  /** Starts the pod once the scheduler admits it; a pod that must wait is asked about again when capacity frees. */
  private startAdmitted(pod: Pod, rt: PodRuntime): void {
    const bound = this.o.admission === undefined ? pod : this.o.admission.admit(pod);
    if (bound === undefined) return;
    rt.started = true;
    createPodVolumes(this.o.stateDir, bound, this.uids.identityOf(bound.uid, (m) => this.rows.warn(bound, 'UidRangeExhausted', m)));
    this.cg.warnUnenforced(bound);
    this.settle(bound, admittedStatus(bound, this.o.clock.now()), rt, [], true);
  }

  /**
   * The one step every event ends in: plan, start what the plan starts (a
   * start that fails is fed back and the plan asked again), stop, arm the
   * deadline, then write once. `hold`: the status may wait for the starts.
   */
  private settle(pod: Pod, from: PodStatus, rt: PodRuntime, terminations: ContainerTermination[], hold: boolean, written?: (final: boolean) => void): void {
    let status = from;
    let plan = reconcilePod(this.input({ ...pod, status }, rt));
    for (let next = plan.start[0]; next !== undefined; next = plan.start[0]) {
      rt.due.delete(next.name);
      status = this.launch({ ...pod, status: plan.status }, next, rt, terminations);
      plan = reconcilePod(this.input({ ...pod, status }, rt));
    }
    rt.due.clear();
    if (plan.ending === DEADLINE_EXCEEDED && rt.ending !== DEADLINE_EXCEEDED) this.o.logger.info('pod deadline exceeded', { pod: `${pod.namespace}/${pod.name}` });
    rt.ending = plan.ending;
    if (plan.stop !== undefined) this.windDown(rt, plan.stop.killAt, pod.uid);
    if (plan.deadlineAt !== undefined) this.armDeadline(pod.uid, rt, plan.deadlineAt);
    const final = plan.state === 'Finished';
    if (plan.status === pod.status && terminations.length === 0) return;
    const wrote = this.rows.put(pod.uid, plan.status, terminations, hold && !final && starting(rt));
    written?.(final);
    // This pod is ending: its end is written, nothing of it is kept, and its Job hears of it.
    if (final) {
      this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: plan.status.phase, ...(plan.status.reason ? { reason: plan.status.reason } : {}) });
      this.forget(pod.uid);
      removePodVolumes(this.o.stateDir, pod.uid);
      this.removeCgroup(pod.uid);
      this.o.onPodChange({ ...pod, status: plan.status });
    } else if (wrote) this.rows.notify(pod.uid);
  }

  /** Starts one container run: spawned, or its failure to start applied to the status. */
  private launch(pod: Pod, s: ContainerStart, rt: PodRuntime, terminations: ContainerTermination[]): PodStatus {
    const c = [...pod.spec.initContainers, ...pod.spec.containers].find((x) => x.name === s.name)!;
    const id = this.uids.identityOf(pod.uid, (m) => this.rows.warn(pod, 'UidRangeExhausted', m));
    const prepared = this.runner.prepare(pod, c, this.o.context(pod), id, (reason, message) => this.rows.warn(pod, reason, message));
    const ref = { pod: `${pod.namespace}/${pod.name}`, container: c.name };
    if ('configError' in prepared) {
      // The message never holds a value.
      this.rows.warn(pod, 'Failed', `Error: ${prepared.configError}`);
      this.o.logger.warn('container config error', { ...ref, message: prepared.configError });
      const r = containerConfigError(this.input(pod, rt), c.name, prepared.configError);
      this.backOff(pod.uid, c.name, rt, r.retryAfterMs, s.attempt);
      return r.status;
    }
    if ('startError' in prepared) {
      const r = containerFailedToStart(this.input(pod, rt), s, prepared.startError);
      terminations.push({ ...r.terminated, container: c.name, attempt: s.attempt, logPath: '' });
      this.o.logger.warn('container failed to start', { ...ref, message: prepared.startError });
      return this.afterExit(pod.uid, c.name, r, rt);
    }
    rt.runs.set(c.name, this.runner.start(pod, c, s.attempt, prepared.launch));
    // The container runs once the spawner says so (onStarted); until then it is still being created.
    return pod.status;
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
      this.settle(pod, status, rt, [], true);
    } catch (err) {
      // Its end is recorded all the same, with the start time the status lacks.
      this.o.logger.error('could not record a container start', { pod: `${pod.namespace}/${pod.name}`, container: name, error: errorMessage(err) });
      this.rows.hold(podUid, status);
    }
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
    try {
      const status = this.afterExit(podUid, name, containerExited(this.input(pod, rt), name, t), rt);
      // The container's end and the pod's new status (its end, when this was its last container): one write.
      this.settle(pod, status, rt, [{ ...t, container: name, attempt: run.attempt, logPath }], false, (final) => {
        this.o.logger.info('container exited', { pod: `${pod.namespace}/${pod.name}`, container: name, exitCode: t.exitCode, reason: t.reason });
        if (!final && run.leaf !== undefined) this.c.cgroups?.remove(podUid, run.leaf);
      });
    } catch (err) {
      // A write that failed (a full disk) is tried again: the run is not forgotten.
      this.o.logger.error('could not record a container end; retrying', { pod: `${pod.namespace}/${pod.name}`, container: name, error: errorMessage(err) });
      cancelRestarts(rt);
      rt.runs.set(name, run);
      setTimeout(() => this.onRunExit(podUid, name, run), 1000).unref();
    }
  }

  /** A container's end as the lifecycle decided it: a restart after its back-off, or the pod's end. */
  private afterExit(podUid: string, name: string, r: ReturnType<typeof containerExited>, rt: PodRuntime): PodStatus {
    if (r.ending !== undefined) rt.ending = r.ending;
    if (r.restartAfterMs !== undefined) this.backOff(podUid, name, rt, r.restartAfterMs, (statusOf(r.status, name)?.restartCount ?? 0) + 1);
    return r.status;
  }

  /** A timer's turn (a back-off or the deadline passed): the pod is settled again; a failed write is retried. */
  private step(podUid: string): void {
    if (this.stopped) return;
    const pod = this.rows.load(podUid);
    const rt = this.pods.get(podUid);
    if (pod === undefined || rt === undefined || isPodTerminal(pod)) return;
    try {
      this.settle(pod, pod.status, rt, [], true);
    } catch (err) {
      this.o.logger.error('could not record a pod end; retrying', { pod: `${pod.namespace}/${pod.name}`, error: errorMessage(err) });
      setTimeout(() => this.step(podUid), 1000).unref();
    }
  }

  private backOff(podUid: string, name: string, rt: PodRuntime, delayMs: number, attempt: number): void {
    const timer = setTimeout(() => {
      rt.restartTimers.delete(name);
      rt.due.set(name, attempt);
      this.step(podUid);
    }, delayMs);
    timer.unref();
    rt.restartTimers.set(name, timer);
  }

  private armDeadline(podUid: string, rt: PodRuntime, at: number): void {
    if (rt.deadlineTimer !== undefined) return;
    rt.deadlineTimer = setTimeout(() => {
      delete rt.deadlineTimer;
      this.step(podUid);
    }, Math.max(0, at - this.o.clock.now()));
    rt.deadlineTimer.unref();
  }

  /** SIGTERM to every running container's process group, SIGKILL at `killAt`. Restarts are cancelled. */
  private windDown(rt: PodRuntime, killAt: number, podUid: string): void {
    cancelRestarts(rt);
    this.runner.stop(rt, killAt - this.o.clock.now(), podUid);
  }

  private input(pod: Pod, rt: PodRuntime): PodInput {
    return { pod, runs: runsOf(rt), ending: rt.ending, now: this.o.clock.now(), options: { backoffBaseMs: this.o.containerBackoffBaseMs } };
  }

  private runtime(uid: string): PodRuntime {
    let rt = this.pods.get(uid);
    if (rt === undefined) this.pods.set(uid, (rt = newPodRuntime()));
    return rt;
  }

  private clearTimers(rt: PodRuntime): void {
    cancelRestarts(rt);
    if (rt.killTimer) clearTimeout(rt.killTimer);
    if (rt.deadlineTimer) clearTimeout(rt.deadlineTimer);
    for (const run of rt.runs.values()) if (run.poll) clearInterval(run.poll);
  }

  private forget(uid: string): void {
    this.o.admission?.release(uid);
    this.uids.release(uid);
    this.rows.forget(uid);
    const rt = this.pods.get(uid);
    if (rt !== undefined) this.clearTimers(rt);
    this.pods.delete(uid);
  }

  private removeCgroup(uid: string): void {
    if (this.c.cgroups === undefined) return;
    this.spawner.removeCgroup(uid, (dir) => this.o.logger.warn('could not remove a pod cgroup', { pod: uid, cgroup: dir }));
  }

  /** As found after a restart: runs re-attached, ends recorded, back-offs waited out again, then settled as any pod. */
  private recoverPod(pod: Pod): void {
    const rt = this.runtime(pod.uid);
    const found = findPod(this.o.stateDir, pod, this.c.cgroups !== undefined);
    if (found.fresh && pod.status.phase === 'Pending' && pod.deletionTimestamp === undefined) return this.startAdmitted(pod, rt);
    rt.started = true;
    let status = found.status;
    const terminations: ContainerTermination[] = [];
    for (const f of found.containers) {
      const logPath = f.kind === 'waiting' ? '' : containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, f.name, f.run.attempt);
      if (f.kind === 'waiting') {
        const restarts = statusOf(status, f.name)?.restartCount ?? 0;
        if (pod.deletionTimestamp === undefined && f.retry) this.backOff(pod.uid, f.name, rt, this.o.containerBackoffBaseMs, restarts + 1);
      } else if (f.kind === 'ended') {
        // A run that ended while no daemon watched it, or was lost with its supervisor: its end is recorded now.
        const t = readTermination(f.run, pod, f.name, this.o.clock.now(), this.cg.oomKilled(pod.uid, f.run));
        if (t.reason === 'Lost') this.runner.killLost(pod.uid, f.run);
        // What it left behind goes before its end is recorded; the leaf itself with the pod.
        else if (f.run.leaf !== undefined) this.cg.drainNow(pod.uid, f.run.leaf);
        this.stamper.finish(logPath);
        terminations.push({ ...t, container: f.name, attempt: f.run.attempt, logPath });
        status = this.afterExit(pod.uid, f.name, containerExited(this.input({ ...pod, status }, rt), f.name, t), rt);
      } else {
        rt.runs.set(f.name, f.run);
        this.stamper.watch(logPath);
        this.runner.watch(pod.uid, f.name, f.run);
        this.o.logger.info('re-attached to running container', { pod: `${pod.namespace}/${pod.name}`, container: f.name, pid: f.run.pid });
      }
    }
    this.settle(pod, status, rt, terminations, false);
  }
}
