import { chownSync, writeFileSync } from 'node:fs';
import { removeCgroupWhenEmpty } from '../containment/pod-cgroups.js';
import type { PodCgroups, RunLimits } from '../containment/pod-cgroups.js';
import { spawnContainer } from './process.js';
import { ensureDir, writeSupervisorRecord } from './run-records.js';
import type { Supervisor } from './supervisor.js';
import { errorMessage } from '../../errors.js';

/** Everything it takes to start one container run under its supervisor. */
export interface StartRequest {
  /** The prefix of the run's record files, in logDir (logs/paths.ts, runRecords). */
  records: string;
  logDir: string;
  logPath: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Programs run before the workload (PID namespace, privilege drop, rlimits). */
  prefix: string[];
  /** The supervisor (see installSupervisor). */
  supervisor: Supervisor;
  /** The user the compiled supervisor switches the workload to. */
  drop?: { uid: number; gid: number };
  /** Run the supervisor itself as this user, for hosts without setpriv. */
  spawnAs?: { uid: number; gid: number };
  /** The run's cgroup leaf and its limits, when pods get cgroups. */
  cgroup?: { podUid: string; leaf: string; limits: RunLimits };
  /** The pod's own uid (--pod-uid-range), kept in the supervisor record so a restarted daemon does not give it out again. */
  podUid?: number;
}

export interface StartedRun {
  pid: number;
  /** Kernel start time of the supervisor: with the pid, its identity. */
  startTime: number | undefined;
  /** Whether the supervisor joined the run's cgroup leaf. */
  inCgroup: boolean;
  /** Limits the cgroup could not take. */
  failedLimits: string[];
  /** Why the run has no cgroup although one was asked for. */
  cgroupError?: string;
}

/**
 * How a run ended, as far as its spawner saw: the supervisor's exit status;
 * undefined when the supervisor was killed (which tells nothing of the
 * workload); 'orphaned' when the spawner itself went away first and the run
 * must be watched through its records instead.
 */
export type RunExit = number | undefined | 'orphaned';

export interface StartCallbacks {
  started(run: StartedRun): void;
  /** The run could not be started; nothing of it runs. */
  failed(message: string): void;
  exited(exit: RunExit): void;
}

/**
 * Starts container runs. The kubelet hands each start over and hears back
 * through callbacks, so a spawner may do the work in another process: what a
 * start costs (mkdir, cgroup set-up, fork) then stays off the daemon's loop.
 */
export interface Spawner {
  start(req: StartRequest, cb: StartCallbacks): void;
  /** Removes a pod's cgroups once nothing runs in them, killing what is left; `giveUp` hears of one that stays. */
  removeCgroup(podUid: string, giveUp: (dir: string) => void): void;
  /** Lets go of whatever the spawner holds; runs it started keep running. */
  stop(): void;
}

/**
 * Does the work in this process, synchronously: the supervisor is our child.
 * The fork server runs one of these on the other side of its pipe.
 */
export class DirectSpawner implements Spawner {
  constructor(private readonly cgroups: PodCgroups | undefined) {}

  start(req: StartRequest, cb: StartCallbacks): void {
    let started: StartedRun;
    let exited: Promise<number | undefined>;
    try {
      ({ started, exited } = this.startSync(req));
    } catch (err) {
      const message = errorMessage(err);
      queueMicrotask(() => cb.failed(message));
      return;
    }
    // Never from inside start(): a caller finishes what it is doing before it hears back, as from a fork server.
    queueMicrotask(() => cb.started(started));
    void exited.then((code) => cb.exited(code));
  }

  removeCgroup(podUid: string, giveUp: (dir: string) => void): void {
    if (this.cgroups !== undefined) removeCgroupWhenEmpty(this.cgroups, podUid, giveUp);
  }

  stop(): void {}

  private startSync(req: StartRequest): { started: StartedRun; exited: Promise<number | undefined> } {
    ensureDir(req.logDir);
    let join: string[] = [];
    let failedLimits: string[] = [];
    let cgroupError: string | undefined;
    if (req.cgroup !== undefined && this.cgroups !== undefined) {
      try {
        const r = this.cgroups.prepareRun(req.cgroup.podUid, req.cgroup.leaf, req.cgroup.limits);
        join = r.procs;
        failedLimits = r.failed;
      } catch (err) {
        // Running without a cgroup beats not running: the pod is then contained by its process group only.
        cgroupError = errorMessage(err);
      }
    }
    // A supervisor switched by spawn writes its records as the pod's user, beside
    // the log (which the daemon opened for it). Only hosts without setpriv get here.
    if (req.spawnAs !== undefined) chownSync(req.logDir, req.spawnAs.uid, req.spawnAs.gid);
    const spawned = spawnContainer({
      records: req.records,
      logPath: req.logPath,
      argv: req.argv,
      env: req.env,
      cwd: req.cwd,
      join,
      prefix: req.prefix,
      supervisor: req.supervisor,
      ...(req.drop === undefined ? {} : { drop: req.drop }),
      ...(req.spawnAs === undefined ? {} : { spawnAs: req.spawnAs }),
    });
    if (req.spawnAs !== undefined) {
      // Unprivileged, the supervisor cannot join its cgroup: we move it, then let it go on.
      try {
        if (join.length > 0 && req.cgroup !== undefined) this.cgroups?.join(req.cgroup.podUid, req.cgroup.leaf, spawned.pid);
      } catch (err) {
        cgroupError = `could not move the supervisor into its cgroup: ${errorMessage(err)}`;
      }
      writeFileSync(`${req.records}joined`, '');
    }
    // With the kernel start time, it lets a restarted daemon tell our
    // supervisor from a process that reused its pid.
    writeSupervisorRecord(req.records, spawned.pid, spawned.startTime, req.podUid);
    const started: StartedRun = { pid: spawned.pid, startTime: spawned.startTime, inCgroup: join.length > 0, failedLimits };
    if (cgroupError !== undefined) started.cgroupError = cgroupError;
    return { started, exited: spawned.exited };
  }
}
