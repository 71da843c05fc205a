import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Container, Pod } from '../../api/types.js';
import { runLimits, type Containment } from '../containment/containment.js';
import { containerLaunch, podEnvDefaults, resolveExecutable, type LocalNode } from '../config/env.js';
import type { PodIdentity } from '../containment/identity.js';
import type { KubeletOptions, PodContext } from '../kubelet-options.js';
import { containerLogDir, containerLogPath, runRecords } from '../logs/paths.js';
import { PodCgroupOps } from '../containment/pod-cgroup-ops.js';
import { cancelRestarts, readTermination, type ContainerRun, type PodRuntime } from '../pod-runtime.js';
import { LogStamper } from '../logs/stamper.js';
import type { ContainerTermination } from '../../store/pods.js';
import { isOurWorkload, isSameProcessAlive, signalGroup } from './process.js';
import { localCapacity } from '../config/resources.js';
import { rlimitPrefix } from '../containment/rlimits.js';
import { readExitCode, readSupervisor, readWorkloadPid } from './run-records.js';
import { DirectSpawner, type Spawner } from './spawner.js';
import { ContainerConfigError } from '../config/secrets.js';
import { chooseSupervisor, installSupervisor, type Supervisor } from './supervisor.js';
import { createPodVolumes, removePodVolumes, volumeMountEnv } from '../config/volumes.js';

/** What the kubelet hears about a run: it is up, or it has ended (or never started: `startError`). */
export interface RunEvents {
  started(podUid: string, name: string, run: ContainerRun, logPath: string): void;
  ended(podUid: string, name: string, run: ContainerRun): void;
}

export interface ContainerRunnerOptions extends Pick<KubeletOptions, 'db' | 'stateDir' | 'logger' | 'nodeCapacity' | 'secrets' | 'clock' | 'spawner'> {
  containment: Containment;
  /** The pod's own uid (--pod-uid-range), for its supervisor record. */
  podUidOf: (podUid: string) => number | undefined;
  events: RunEvents;
}

/** A container's command line and environment, as it will be started. */
export interface Launch {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Who the workload runs as; undefined keeps the daemon's user. */
  id: PodIdentity | undefined;
}

/**
 * The container runtime side of the node agent, as CRI is to the kubelet:
 * it starts a container run under its supervisor, follows it through the
 * spawner or, once nobody's child, through its records, and signals it. What
 * a run's start or end means for the pod is the kubelet's.
 */
export class ContainerRunner {
  private localNode: LocalNode | undefined;
  private readonly stamper: LogStamper;
  private readonly spawner: Spawner;
  /** This daemon's own copy of the supervisor (see installSupervisor). */
  private readonly supervisor: Supervisor;
  readonly cg: PodCgroupOps;
  private stopped = false;

  constructor(private readonly o: ContainerRunnerOptions) {
    const ct = o.containment;
    this.stamper = new LogStamper(() => o.clock.now(), ct.logMaxBytes);
    this.spawner = o.spawner ?? new DirectSpawner(ct.cgroups);
    this.supervisor = installSupervisor(o.stateDir, ct.supervisor ?? chooseSupervisor());
    this.cg = new PodCgroupOps(ct.cgroups, o.db, o.clock, o.logger);
  }

  /**
   * Prepares and hands the run to the spawner (see prepare and start), or
   * says why it cannot start, as the kubelet reports it.
   */
  launch(pod: Pod, c: Container, attempt: number, ctx: PodContext, id: PodIdentity | undefined, warn: (reason: string, message: string) => void): { run: ContainerRun } | { configError: string } | { startError: string } {
    const prepared = this.prepare(pod, c, ctx, id, warn);
    const ref = { pod: `${pod.namespace}/${pod.name}`, container: c.name };
    if ('configError' in prepared) {
      // The message never holds a value.
      warn('Failed', `Error: ${prepared.configError}`);
      this.o.logger.warn('container config error', { ...ref, message: prepared.configError });
      return prepared;
    }
    if ('startError' in prepared) {
      this.o.logger.warn('container failed to start', { ...ref, message: prepared.startError });
      return prepared;
    }
    return { run: this.start(pod, c, attempt, prepared.launch) };
  }

  /** Runs get a cgroup leaf each. */
  get withCgroups(): boolean {
    return this.o.containment.cgroups !== undefined;
  }

  /** Before a pod's first run: its volumes, and a word on limits this node cannot enforce. */
  preparePod(pod: Pod, id: PodIdentity | undefined): void {
    createPodVolumes(this.o.stateDir, pod, id);
    this.cg.warnUnenforced(pod);
  }

  /** Nothing of the pod stays: with `volumes` its volumes, and its cgroup once empty. */
  removePod(podUid: string, volumes: boolean): void {
    if (volumes) removePodVolumes(this.o.stateDir, podUid);
    this.removeCgroup(podUid);
  }

  /** The pod's cgroup goes once it is empty (the pod ended, or its row is gone). */
  removeCgroup(podUid: string): void {
    if (this.o.containment.cgroups === undefined) return;
    this.spawner.removeCgroup(podUid, (dir) => this.o.logger.warn('could not remove a pod cgroup', { pod: podUid, cgroup: dir }));
  }

  /** cgroups of pods that ended (or were deleted) while no daemon ran: whatever is left in them goes. */
  removeCgroupsBut(live: (podUid: string) => boolean): void {
    for (const uid of this.o.containment.cgroups?.listPods() ?? []) if (!live(uid)) this.removeCgroup(uid);
  }

  /** An ended run's own cgroup leaf, once its end is recorded. */
  removeLeaf(podUid: string, run: ContainerRun): void {
    if (run.leaf !== undefined) this.o.containment.cgroups?.remove(podUid, run.leaf);
  }

  /** The run is up and ours: its log gets timestamps from now on. */
  running(logPath: string): void {
    this.stamper.watch(logPath);
  }

  /** Follows a run found running after a restart, as one started here. */
  reattach(pod: Pod, name: string, run: ContainerRun): void {
    this.stamper.watch(containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt));
    this.watch(pod.uid, name, run);
    this.o.logger.info('re-attached to running container', { pod: `${pod.namespace}/${pod.name}`, container: name, pid: run.pid });
  }

  /**
   * How a run ended, read from its records, as the container's termination:
   * a run lost with its supervisor has its workload killed; `drain` (an end
   * found after a restart) kills what it left in its cgroup first.
   */
  collect(pod: Pod, name: string, run: ContainerRun, drain: boolean): ContainerTermination {
    const t = readTermination(run, pod, name, this.o.clock.now(), this.cg.oomKilled(pod.uid, run));
    if (t.reason === 'Lost') this.killLost(pod.uid, run);
    else if (drain && run.leaf !== undefined) this.cg.drainNow(pod.uid, run.leaf);
    const logPath = containerLogPath(this.o.stateDir, pod.namespace, pod.name, pod.uid, name, run.attempt);
    this.stamper.finish(logPath);
    return { ...t, container: name, attempt: run.attempt, logPath };
  }

  shutdown(): void {
    this.stopped = true;
    this.stamper.closeAll();
    this.spawner.stop();
    this.o.containment.cgroups?.removeParent();
  }

  /** The run's main process has ended; the kubelet hears of it once what it left in its cgroup is gone too. */
  private ended(podUid: string, name: string, run: ContainerRun): void {
    if (this.stopped) return;
    if (run.poll) clearInterval(run.poll);
    delete run.poll;
    if (!this.cg.draining(podUid, name, run, () => this.ended(podUid, name, run))) this.o.events.ended(podUid, name, run);
  }

  /**
   * The container's command line and environment, or why it cannot start:
   * `configError` as the kubelet's CreateContainerConfigError (a Secret or key
   * missing: it waits and is tried again), `startError` as a runtime's failed
   * exec (the container never ran). `warn` hears of what starts regardless.
   */
  prepare(
    pod: Pod,
    c: Container,
    ctx: { cwd: string; env: Record<string, string> },
    id: PodIdentity | undefined,
    warn: (reason: string, message: string) => void,
  ): { launch: Launch } | { configError: string } | { startError: string } {
    // A dropped user gets its own HOME, as a runtime takes it from the image's passwd; the container's env still wins.
    const base = { ...podEnvDefaults(pod), ...ctx.env, ...(id === undefined ? {} : { HOME: id.home }), ...volumeMountEnv(this.o.stateDir, pod, c, id) };
    let resolved: { env: Record<string, string>; argv: string[] };
    try {
      resolved = containerLaunch({ pod, container: c, base, node: this.node(), ...(this.o.secrets === undefined ? {} : { secrets: this.o.secrets }), warn });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      return { configError: err.message };
    }
    const { env, argv } = resolved;
    const cwd = c.workingDir ?? ctx.cwd;
    const exe = argv[0] === undefined ? null : resolveExecutable(argv[0], env.PATH ?? '', cwd);
    if (exe === null) return { startError: `exec: "${argv[0] ?? ''}": executable file not found in $PATH` };
    if (!existsSync(cwd)) return { startError: `chdir to cwd ("${cwd}") set in config.json failed: no such file or directory` };
    return { launch: { argv, env, cwd, id } };
  }

  /** This machine, as the downward API describes a pod's node. */
  private node(): LocalNode {
    this.localNode ??= { name: hostname(), ip: '127.0.0.1', capacity: { ...localCapacity(this.o.stateDir), ...this.o.nodeCapacity } };
    return this.localNode;
  }

  /**
   * Hands the run to the spawner; it is `starting` until `started` (or `ended`
   * with a startError). Neither comes before this returns (the Spawner's
   * contract), so the caller files the run first.
   */
  start(pod: Pod, c: Container, attempt: number, launch: Launch): ContainerRun {
    const { stateDir, containment: ct } = this.o;
    const records = runRecords(stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt);
    const logPath = containerLogPath(stateDir, pod.namespace, pod.name, pod.uid, c.name, attempt);
    const leaf = `${c.name}.${attempt}`;
    const spawnAs = ct.switchBy === 'spawn' && launch.id !== undefined ? { uid: launch.id.uid, gid: launch.id.gid } : undefined;
    const drop = ct.dropFor(launch.id);
    const podUid = this.o.podUidOf(pod.uid);
    const run: ContainerRun = { attempt, records, pid: 0, startTime: undefined, signalled: false, starting: true };
    // Known before the spawn is: a kill that comes first reaches the cgroup all the same.
    if (ct.cgroups !== undefined) run.leaf = leaf;
    const { events } = this.o;
    this.spawner.start(
      {
        records,
        logDir: containerLogDir(stateDir, pod.namespace, pod.name, pod.uid, c.name),
        logPath,
        argv: launch.argv,
        env: launch.env,
        cwd: launch.cwd,
        prefix: [...ct.prefixFor(launch.id), ...rlimitPrefix(pod)],
        supervisor: this.supervisor,
        ...(drop === undefined ? {} : { drop }),
        ...(spawnAs === undefined ? {} : { spawnAs }),
        ...(podUid === undefined ? {} : { podUid }),
        ...(ct.cgroups === undefined ? {} : { cgroup: { podUid: pod.uid, leaf, limits: runLimits(c) } }),
      },
      {
        started: (s) => {
          run.pid = s.pid;
          run.startTime = s.startTime;
          if (!s.inCgroup) delete run.leaf;
          this.cg.reportStart(pod, c, s);
          events.started(pod.uid, c.name, run, logPath);
        },
        failed: (message) => {
          delete run.starting;
          delete run.leaf;
          this.o.logger.error('could not start a container', { pod: `${pod.namespace}/${pod.name}`, container: c.name, error: message });
          run.startError = message;
          this.ended(pod.uid, c.name, run);
        },
        exited: (exit) => {
          if (exit === 'orphaned') {
            // Our spawner went away: the run is no longer anybody's child, so watch its records.
            const wasStarting = run.starting === true;
            this.watch(pod.uid, c.name, run);
            if (wasStarting && run.pid !== 0) events.started(pod.uid, c.name, run, logPath);
            return;
          }
          if (exit !== undefined) run.exitCode = exit;
          this.ended(pod.uid, c.name, run);
        },
      },
    );
    return run;
  }

  /** Follows a run whose supervisor is not our child (after a restart, or once our spawner is gone) through its records. */
  watch(podUid: string, name: string, run: ContainerRun): void {
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
        this.ended(podUid, name, run);
        return;
      }
    }
    run.poll = setInterval(() => {
      if (readExitCode(run.records) !== undefined || (run.pid !== 0 && !isSameProcessAlive(run.pid, run.startTime))) this.ended(podUid, name, run);
    }, 200);
    run.poll.unref();
  }

  /** SIGTERM to each run's process group (once), SIGKILL to all of them `killInMs` later; waiting restarts are cancelled. */
  stop(rt: PodRuntime, killInMs: number, podUid: string): void {
    cancelRestarts(rt);
    for (const run of rt.runs.values()) {
      if (!run.signalled) {
        run.signalled = true;
        this.signal(run, 'SIGTERM', podUid);
      }
    }
    if (rt.killTimer === undefined && rt.runs.size > 0) {
      rt.killTimer = setTimeout(() => {
        for (const run of rt.runs.values()) this.signal(run, 'SIGKILL', podUid);
      }, Math.max(0, killInMs));
      rt.killTimer.unref();
    }
  }

  /** The process group gets the signal; SIGKILL also reaches, through the cgroup, whatever left the group. */
  signal(run: ContainerRun, signal: NodeJS.Signals, podUid: string): void {
    if (signal === 'SIGKILL' && run.leaf !== undefined) this.o.containment.cgroups?.kill(podUid, run.leaf);
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

  /**
   * A supervisor that vanished without recording an exit leaves its workload
   * running as an orphan: end it, if it is still the process we started.
   */
  killLost(podUid: string, run: ContainerRun): void {
    const pgid = readWorkloadPid(run.records);
    if (pgid !== undefined && isOurWorkload(pgid, run.startTime)) signalGroup(pgid, 'SIGKILL');
    if (run.leaf !== undefined) this.o.containment.cgroups?.kill(podUid, run.leaf);
  }
}
