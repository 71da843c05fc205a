import { isPodTerminal } from '../api/pods.js';
import type { Pod, PodStatus } from '../api/types.js';
import { errorFields } from '../errors.js';
import { listLivePods, type ContainerTermination } from '../store/pods.js';
import { ContainerRunner } from './runtime/container-runner.js';
import { NO_CONTAINMENT } from './containment/containment.js';
import type { KubeletOptions } from './kubelet-options.js';
import { findPod, recoverRuns } from './kubelet-recovery.js';
import { admittedStatus, containerConfigError, containerExited, containerFailedToStart, reconcilePod, type ContainerStart, type PodInput } from './pod/lifecycle.js';
import { applyOutcome, cancelRestarts, PodRuntimes, runsOf, starting, waitDeadline, type ContainerRun, type PodRuntime } from './pod-runtime.js';
import { PodRows } from './pod-rows.js';
import { containerStarted, DEADLINE_EXCEEDED } from './pod/status.js';
import { PodUids } from './containment/pod-uids.js';

/**
 * The node agent, an applier as the Job controller is: each event loads the
 * pod's row, asks the pure lifecycle (pod/lifecycle.ts) for a plan, starts and
 * signals runs (ContainerRunner), sets timers, writes once (PodRows.put) and
 * tells the controller. It owns the pods' runtime status and nothing else.
 * Every wait is a timer; nothing blocks.
 */
export class Kubelet {
  private readonly pods = new PodRuntimes((uid) => this.step(uid));
  private readonly runner: ContainerRunner;
  private readonly rows: PodRows;
  private readonly uids: PodUids;
  private stopped = false;

  constructor(private readonly o: KubeletOptions) {
    const c = o.containment ?? NO_CONTAINMENT;
    this.rows = new PodRows(o.db, o.clock, o.onPodChange);
    this.uids = new PodUids(c.identity, c.uidRange, o.stateDir);
    const events = { started: this.onStarted.bind(this), ended: this.onRunExit.bind(this) };
    this.runner = new ContainerRunner({ ...o, containment: c, podUidOf: (uid) => this.uids.uidOf(uid), events });
  }

  /** Re-attaches to pods that were running before a restart; starts pods never started. */
  recover(): void {
    const live = this.o.db.transaction(() => listLivePods(this.o.db))();
    // Uids of pods still running stay theirs, before any pod is started afresh.
    for (const pod of live) this.uids.reserve(pod);
    for (const pod of live) this.recoverPod(pod);
    this.runner.removeCgroupsBut((uid) => this.pods.has(uid));
  }

  /** Level-triggered: looks at the pod's row and does what it takes to match it. */
  syncPod(uid: string): void {
    if (this.stopped) return;
    const pod = this.rows.load(uid);
    // Also for a pod whose row is gone (its Job deleted): nothing of it may stay behind.
    if (pod === undefined || isPodTerminal(pod)) return this.release(uid, pod !== undefined);
    const rt = this.pods.ensure(uid);
    if (pod.deletionTimestamp !== undefined) this.guard(pod, 'a pod deletion; retrying', {}, (failed) => this.settle(pod, pod.status, rt, [], false, { failed }), () => this.retryStep(uid));
    else if (!rt.started && pod.status.phase === 'Pending') this.startAdmitted(pod, rt);
  }

  /** Marks a pod stopped on purpose while its Job still wants it, as the eviction API does. */
  disrupt(uid: string, reason: string, message: string): void {
    this.rows.disrupt(uid, reason, message);
  }

  /** Stops watching; with stopPods the pods' processes are killed too, otherwise they keep running. */
  shutdown(stopPods: boolean): void {
    // What this turn recorded is committed before the store closes.
    this.rows.flush();
    this.stopped = true;
    this.pods.dropAll((uid, rt) => rt.runs.forEach((run) => stopPods && this.runner.signal(run, 'SIGKILL', uid)));
    this.runner.shutdown();
  }

  /** Starts the pod once the scheduler admits it; a pod that must wait is asked about again when capacity frees. */
  private startAdmitted(pod: Pod, rt: PodRuntime): void {
    const bound = this.o.admission === undefined ? pod : this.o.admission.admit(pod);
    if (bound === undefined) return;
    rt.started = true;
    this.runner.preparePod(bound, this.uids.identityOf(bound.uid, (m) => this.rows.warn(bound, 'UidRangeExhausted', m)));
    // Held for the starts; if nothing could start, written now, and a failure is tried again.
    this.guard(bound, 'a pod admission; retrying', {}, (failed) => this.settle(bound, admittedStatus(bound, this.o.clock.now()), rt, [], true, { failed }), () => this.retryStep(bound.uid));
  }

  /**
   * The one step every event ends in: plan, start what the plan starts (a
   * start that fails is fed back and the plan asked again), stop, arm the
   * deadline, then write once. `hold`: the status may wait for the starts.
   * What depends on the write (the controller hearing of it, `written`, a
   * finished pod's release) follows its commit; `failed` if that fails.
   */
  private settle(pod: Pod, from: PodStatus, rt: PodRuntime, ends: ContainerTermination[], hold: boolean, after: { written?: (final: boolean) => void; failed: (err: unknown) => void }): void {
    let plan = reconcilePod(this.input({ ...pod, status: from }, rt));
    for (let next = plan.start[0]; next !== undefined; next = plan.start[0]) {
      rt.due.delete(next.name);
      plan = reconcilePod(this.input({ ...pod, status: this.launch({ ...pod, status: plan.status }, next, rt, ends) }, rt));
    }
    rt.due.clear();
    if (plan.ending === DEADLINE_EXCEEDED && rt.ending !== DEADLINE_EXCEEDED) this.o.logger.info('pod deadline exceeded', { pod: `${pod.namespace}/${pod.name}` });
    rt.ending = plan.ending;
    if (plan.stop !== undefined) this.runner.stop(rt, plan.stop.killAt - this.o.clock.now(), pod.uid);
    if (plan.deadlineAt !== undefined) waitDeadline(rt, plan.deadlineAt - this.o.clock.now());
    const final = plan.state === 'Finished';
    if (plan.status === pod.status && ends.length === 0) return;
    const held = hold && !final && starting(rt);
    const written = (): void => {
      after.written?.(final);
      if (!final) {
        if (!held) this.rows.notify(pod.uid);
        return;
      }
      // This pod is ending: its end is written, nothing of it is kept, and its Job hears of it.
      this.o.logger.info('pod finished', { pod: `${pod.namespace}/${pod.name}`, phase: plan.status.phase, ...(plan.status.reason ? { reason: plan.status.reason } : {}) });
      this.release(pod.uid, true);
      this.o.onPodChange({ ...pod, status: plan.status });
    };
    const afterCommit = (): void => {
      // Runs from the commit, after the caller is gone: a throw here would take the daemon down.
      try {
        written();
      } catch (err) {
        this.o.logger.error('could not finish a pod change after recording it', { pod: `${pod.namespace}/${pod.name}`, ...errorFields(err) });
      }
    };
    this.rows.put(pod.uid, plan.status, ends, held, { written: afterCommit, failed: after.failed });
  }

  /** Starts one container run: spawned, or its failure to start applied to the status. */
  private launch(pod: Pod, s: ContainerStart, rt: PodRuntime, ends: ContainerTermination[]): PodStatus {
    const c = [...pod.spec.initContainers, ...pod.spec.containers].find((x) => x.name === s.name)!;
    const r = this.runner.launch(pod, c, s.attempt, this.o.context(pod), this.uids.identityOf(pod.uid, (m) => this.rows.warn(pod, 'UidRangeExhausted', m)), (reason, message) => this.rows.warn(pod, reason, message));
    if ('run' in r) {
      // The container runs once the spawner says so (onStarted); until then it is still being created.
      rt.runs.set(c.name, r.run);
      return pod.status;
    }
    if ('configError' in r) return applyOutcome(rt, c.name, containerConfigError(this.input(pod, rt), c.name, r.configError), s.attempt);
    const x = containerFailedToStart(this.input(pod, rt), s, r.startError);
    ends.push({ ...x.terminated, container: c.name, attempt: s.attempt, logPath: '' });
    return applyOutcome(rt, c.name, x);
  }

  /** A run's supervisor is up: the container is running from now on. */
  private onStarted(podUid: string, name: string, run: ContainerRun, logPath: string): void {
    delete run.starting;
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    const pod = this.rows.load(podUid);
    if (rt === undefined || pod === undefined || rt.runs.get(name) !== run) return;
    this.runner.running(logPath);
    // Stopping it was asked for before it ran: now it can be reached.
    if (run.signalled) this.runner.signal(run, 'SIGTERM', podUid);
    const status = containerStarted(pod.status, name, this.o.clock.now(), run.attempt);
    // Its end is recorded all the same, with the start time the status lacks.
    this.guard(pod, 'a container start', { container: name }, (failed) => this.settle(pod, status, rt, [], true, { failed }), () => this.rows.hold(podUid, status));
  }

  private onRunExit(podUid: string, name: string, run: ContainerRun): void {
    if (this.stopped) return;
    const rt = this.pods.get(podUid);
    if (rt === undefined || rt.runs.get(name) !== run) return;
    rt.runs.delete(name);
    const pod = this.rows.load(podUid);
    if (pod === undefined) return;
    const t = this.runner.collect(pod, name, run, false);
    const status = applyOutcome(rt, name, containerExited(this.input(pod, rt), name, t));
    const recorded = (final: boolean): void => {
      this.o.logger.info('container exited', { pod: `${pod.namespace}/${pod.name}`, container: name, exitCode: t.exitCode, reason: t.reason });
      if (!final) this.runner.removeLeaf(podUid, run);
    };
    // Its end and the pod's new status (the pod's end, after its last container): one write, retried if it fails (a full disk).
    this.guard(pod, 'a container end; retrying', { container: name }, (failed) => this.settle(pod, status, rt, [t], false, { written: recorded, failed }), () => {
      cancelRestarts(rt);
      rt.runs.set(name, run);
      setTimeout(() => this.onRunExit(podUid, name, run), 1000).unref();
    });
  }

  /** A timer's turn (a back-off or the deadline passed): the pod is settled again; a failed write is retried. */
  private step(podUid: string): void {
    if (this.stopped) return;
    const pod = this.rows.load(podUid);
    const rt = this.pods.get(podUid);
    if (pod === undefined || rt === undefined || isPodTerminal(pod)) return;
    this.guard(pod, 'a pod end; retrying', {}, (failed) => this.settle(pod, pod.status, rt, [], true, { failed }), () => this.retryStep(podUid));
  }

  private retryStep(podUid: string): void {
    setTimeout(() => this.step(podUid), 1000).unref();
  }

  /**
   * Runs a settle whose write may fail (a full disk), now or when it commits:
   * the failure is logged, and `failed` says what follows.
   */
  private guard(pod: Pod, what: string, fields: Record<string, string>, settle: (failed: (err: unknown) => void) => void, failed: () => void): void {
    const fail = (err: unknown): void => {
      this.o.logger.error(`could not record ${what}`, { pod: `${pod.namespace}/${pod.name}`, ...fields, ...errorFields(err) });
      failed();
    };
    try {
      settle(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** As found after a restart: runs re-attached, ends recorded, back-offs waited out again, then settled as any pod. */
  private recoverPod(pod: Pod): void {
    const rt = this.pods.ensure(pod.uid);
    const found = findPod(this.o.stateDir, pod, this.runner.withCgroups);
    if (found.fresh && pod.status.phase === 'Pending' && pod.deletionTimestamp === undefined) return this.startAdmitted(pod, rt);
    rt.started = true;
    const { status, ends } = recoverRuns(pod, found, rt, this.runner, (p) => this.input(p, rt), this.o.containerBackoffBaseMs);
    this.guard(pod, 'the state found after a restart; retrying', {}, (failed) => this.settle(pod, status, rt, ends, false, { failed }), () => this.retryStep(pod.uid));
  }

  private input(pod: Pod, rt: PodRuntime): PodInput {
    return { pod, runs: runsOf(rt), ending: rt.ending, now: this.o.clock.now(), options: { backoffBaseMs: this.o.containerBackoffBaseMs } };
  }

  /** Nothing of the pod is kept: its runtime, uid, admission; with `volumes`, its volumes; and its cgroup. */
  private release(uid: string, volumes: boolean): void {
    this.o.admission?.release(uid);
    this.uids.release(uid);
    this.rows.forget(uid);
    this.pods.drop(uid);
    this.runner.removePod(uid, volumes);
  }
}
