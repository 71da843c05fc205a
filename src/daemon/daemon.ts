import { sourceRef } from '../api/source-ref.js';
import { mkdirSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { JobController } from '../controller/controller.js';
import { reconcileOptionsWithBackoff } from '../reconcile/index.js';
import { CronJobController } from '../controller/cronjob-controller.js';
import { listCronJobs } from '../store/cronjobs.js';
import { setUpContainment, type Containment, type PodContainmentFlags } from '../executor/containment/containment.js';
import { ForkServer, forkServerAvailable } from '../executor/runtime/fork-server.js';
import { Launcher } from '../executor/runtime/launcher.js';
import { installSupervisor } from '../executor/runtime/supervisor.js';
import type { Spawner } from '../executor/runtime/spawner.js';
import { stateHash } from '../executor/containment/pod-cgroups.js';
import { Kubelet } from '../executor/kubelet.js';
import { openSecretsFolder } from '../executor/config/secrets.js';
import { localCapacity } from '../executor/config/resources.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { startWalCheckpointer } from '../store/checkpoint.js';
import { openDb, STATE_DB_FILE, type Db } from '../store/db.js';
import { DiskFullWatch } from '../store/disk-full.js';
import { recordEvent } from '../store/events.js';
import { getJob, listJobs } from '../store/jobs.js';
import { countTransactions } from '../store/stats.js';
import { ChangeNotifier } from '../store/change-notifier.js';
import { PodEventRecorder } from './pod-events.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { daemonSocketPath } from './socket-path.js';
import { serveControl, type DaemonContext } from '../ops/control.js';
import { acquireDaemonSocket, folderLockFd } from './lock.js';
import { handlers } from '../ops/index.js';
import { Reruns } from '../ops/reruns.js';
import { applyRetention, DEFAULT_RETENTION, type RetentionPolicy } from './retention.js';
import { gitSource, type GitSourceSpec } from './git-source.js';
import { dirSource, type RunningSource, type SourceDeps } from './sources.js';
import { apiRoutes } from '../apiserver/routes.js';
import { healthRoutes } from '../http/health.js';
import type { HttpRoute } from '../http/route.js';
import { startHttpListener, type HttpListener } from '../http/server.js';
import { ensureTokens } from '../http/tokens.js';
import { errorMessage } from '../errors.js';
import { DaemonMetrics, NO_OBSERVER, type DaemonObserver } from '../metrics/daemon-metrics.js';
import { metricsRoutes } from '../metrics/route.js';
import { consoleRoutes } from '../console/routes.js';
import { gitjobsApiRoutes } from '../console/gitjobs-api.js';
import { hookRoutes } from '../hooks/routes.js';
import { EMPTY_EVENTS_CONFIG, type EventsConfig } from '../events/config.js';
import { Deliverer } from '../notify/deliverer.js';
import { OutboxRecorder } from '../notify/recorder.js';

export type SourceSpec = { kind: 'dir'; dir: string } | ({ kind: 'git' } & GitSourceSpec);

export interface DaemonOptions {
  source: SourceSpec;
  stateDir: string;
  podBackoffBaseMs: number;
  logger: Logger;
  clock?: Clock;
  /** On stop, kill running pods instead of leaving them to a later daemon. */
  stopPodsOnExit?: boolean;
  resyncIntervalMs?: number;
  retention?: RetentionPolicy;
  walCheckpointIntervalMs?: number;
  /** Pod user, cgroup limits, PID namespace, log cap; unset: the defaults of `gitjobs daemon`. */
  containment?: Partial<PodContainmentFlags>;
  /** What pods may request in all; unset: this machine's CPUs and memory, and 110 pods. */
  node?: NodeFlags;
  /** `--secrets`: `<dir>/<namespace>/<secret>/<key>` files (0600); unset: `<state>/secrets`. */
  secretsDir?: string;
  /** The HTTP listener (Kubernetes API, console, metrics, webhooks); unset: none. */
  listen?: ListenOptions;
  /** Webhook receivers, notification targets, commit status; unset: none. */
  events?: EventsConfig;
}

export interface ListenOptions {
  /** `HOST:PORT`; port 0 takes a free one. Beyond loopback only with TLS. */
  address: string;
  tls?: { certFile: string; keyFile: string };
}

export interface NodeFlags {
  /** CPUs, decimals allowed. */
  cpu?: number;
  /** Bytes. */
  memory?: number;
  maxPods?: number;
}

export interface Daemon {
  readonly db: Db;
  /** The listener's base URL, when it has one. */
  readonly url: string | undefined;
  stop(): Promise<void>;
}

/** The composition root: one place where the real parts are chosen and wired. */
export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const clock = o.clock ?? systemClock;
  const events = o.events ?? EMPTY_EVENTS_CONFIG;
  const stateDir = resolve(o.stateDir);
  mkdirSync(stateDir, { recursive: true });

  // Connections are refused until the daemon is wired (before that, nothing to serve).
  let onConnection: (s: Socket) => void = (s) => s.destroy();
  const server: Server = await acquireDaemonSocket(daemonSocketPath(stateDir), (s) => onConnection(s));
  let db: Db;
  try {
    db = openDb(join(stateDir, STATE_DB_FILE), { verify: true });
  } catch (err) {
    server.close();
    throw err;
  }

  let diskFull: DiskFullWatch | undefined;
  // Components report failed writes through the log (errorFields); a full disk among them, told by its code, is waited out (below).
  const logger: Logger = {
    ...o.logger,
    error: (msg, fields) => {
      o.logger.error(msg, fields);
      if (typeof fields?.code === 'string') diskFull?.handle({ code: fields.code, message: fields.error });
    },
  };
  const writeStats = countTransactions(db);
  const changes = new ChangeNotifier(db);
  const podEvents = new PodEventRecorder(db, changes, clock, o.logger);
  // Metrics are served on the listener: without one, nothing is counted.
  const metrics: DaemonMetrics | undefined =
    o.listen === undefined
      ? undefined
      : new DaemonMetrics({
          db,
          walPath: join(stateDir, `${STATE_DB_FILE}-wal`),
          writeStats,
          queue: (): { ready: number; delayed: number } => ({ ready: controller.queue.length, delayed: controller.queue.delayedLength }),
        });
  const observer: DaemonObserver = metrics ?? NO_OBSERVER;
  const containment = setUpContainment({ ...o.containment, stateDir, logger: o.logger });
  const spawner = spawnerFor(containment, stateDir, o.logger, folderLockFd(server));
  const machine = localCapacity(stateDir);
  const nodeCapacity = { cpu: o.node?.cpu ?? machine.cpu, memory: o.node?.memory ?? machine.memory };
  const scheduler = new Scheduler({
    db,
    clock,
    logger,
    stateDir,
    node: { milliCpu: Math.round(nodeCapacity.cpu * 1000), memory: nodeCapacity.memory, pods: o.node?.maxPods ?? 110 },
    wake: (uid) => kubelet.syncPod(uid),
  });
  const secrets = openSecretsFolder(o.secretsDir ?? join(stateDir, 'secrets'), o.logger);
  const kubelet = new Kubelet({
    secrets,
    ...(spawner === undefined ? {} : { spawner }),
    admission: scheduler,
    nodeCapacity,
    containment,
    db,
    stateDir,
    clock,
    logger,
    containerBackoffBaseMs: o.podBackoffBaseMs,
    context: (pod) => source.podContext(pod.owner ? getJob(db, pod.owner.uid) : undefined),
    onPodChange: (pod) => {
      observer.podChanged(pod);
      if (pod.owner) controller.enqueue(pod.owner.uid);
    },
  });

  let listener: HttpListener | undefined;
  const deliverer = new Deliverer({ db, clock, logger, config: events, consoleBase: () => events.consoleUrl ?? listener?.url });
  const outbox = new OutboxRecorder(events, () => deliverer.wake());
  const controller = new JobController({
    db,
    clock,
    logger,
    ...(outbox.enabled ? { onStatusWritten: (job, prev, next, now) => outbox.recordRun(db, job, prev, next, now) } : {}),
    ...(outbox.wantsLostPods ? { onPodsCounted: (job, pods, now) => outbox.recordLostPods(db, job, pods, now) } : {}),
    runtime: kubelet,
    reconcile: reconcileOptionsWithBackoff(o.podBackoffBaseMs),
    // A replaced Job's successor is created once the old run is gone: a rerun's
    // right away, a source-owned one by the next scan.
    onJobRemoved: (job) => {
      reruns.onRemoved(job);
      cronJobs.jobChanged(job);
      source.poke();
    },
    ...(metrics === undefined ? {} : { onPass: (ms: number) => metrics.reconcilePass(ms) }),
    onJobStatusChanged: (job) => cronJobs.jobChanged(job),
  });

  const cronJobs = new CronJobController({
    db,
    clock,
    logger,
    onJobsChanged: (uids) => {
      for (const uid of uids) controller.enqueue(uid);
    },
  });

  const reruns = new Reruns(db, () => clock.now(), (uid) => controller.enqueue(uid));
  const deps: SourceDeps = {
    db,
    clock,
    logger,
    stateDir,
    onChanged: (uids) => {
      for (const uid of uids) controller.enqueue(uid);
    },
    observer,
    onSyncFailed: (failure, now) => outbox.recordSyncFailure(db, failure, now),
    onCronJobsChanged: (uids) => {
      for (const uid of uids) cronJobs.enqueue(uid);
    },
  };
  const source: RunningSource = o.source.kind === 'dir' ? dirSource(resolve(o.source.dir), deps) : gitSource(o.source, deps);
  const ctx: DaemonContext = { db, clock, logger: o.logger, stateDir, controller, cronJobs, kubelet, source, reruns, stats: writeStats, changes };
  onConnection = (s) => serveControl(s, handlers, ctx);

  o.logger.info('daemon starting', { source: source.url, kind: source.kind, state: stateDir, pid: process.pid, ...containment.summary, secrets: secrets.dir });
  podEvents.start();
  kubelet.recover();
  await source.start();
  controller.resyncAll();
  cronJobs.resyncAll();
  const resync = setInterval(() => controller.resyncAll(), o.resyncIntervalMs ?? 30_000);
  resync.unref();
  const retention = o.retention ?? DEFAULT_RETENTION;
  const sweep = (): void => {
    try {
      source.sweep([...listJobs(db), ...listCronJobs(db)]);
      const r = applyRetention(db, stateDir, retention, clock.now());
      if (r.runsRemoved + r.logsRemoved > 0) o.logger.info('retention applied', r);
    } catch (err) {
      o.logger.error('retention failed', { error: errorMessage(err) });
    }
  };
  sweep();
  const sweeper = setInterval(sweep, 10 * 60_000);
  sweeper.unref();
  // Keeps the WAL bounded even when CLI readers keep automatic checkpoints from finishing.
  const checkpointer = startWalCheckpointer(db, join(stateDir, `${STATE_DB_FILE}-wal`), {
    intervalMs: o.walCheckpointIntervalMs ?? 30_000,
    minBytes: 4 * 1024 * 1024,
    onError: (err) => o.logger.error('WAL checkpoint failed', { error: errorMessage(err) }),
  });
  // A full disk fails writes made from timers and process-exit callbacks too;
  // those must not take the daemon (and the supervision of every pod) down.
  diskFull = new DiskFullWatch({
    onFull: (message) => o.logger.error('state write failed: disk full; retrying until space is available', { error: message }),
    probe: (message) =>
      recordEvent(db, { object: sourceRef(source.name), type: 'Warning', reason: 'StateWriteFailed', message, source: 'gitjobs-daemon' }, clock.now()),
    onRecovered: () => {
      o.logger.info('state writes resumed');
      source.poke();
      controller.resyncAll();
    },
  });
  const onAsyncError = (err: unknown): void => {
    if (!diskFull?.handle(err)) throw err;
  };
  process.on('unhandledRejection', onAsyncError);
  if (o.listen !== undefined) {
    const routes: HttpRoute[] = [
      ...healthRoutes(),
      ...(metrics === undefined ? [] : metricsRoutes(metrics)),
      ...consoleRoutes(),
      ...gitjobsApiRoutes(ctx),
      ...apiRoutes(ctx),
      ...hookRoutes({ db, clock, logger, receivers: events.webhooks, source: o.source, sync: () => source.sync() }),
    ];
    try {
      listener = await startHttpListener({
        listen: o.listen.address,
        ...(o.listen.tls === undefined ? {} : { tls: o.listen.tls }),
        tokens: ensureTokens(stateDir),
        routes,
        logger: o.logger,
        stateDir,
      });
    } catch (err) {
      await stopParts();
      throw err;
    }
  }
  // Deliveries a previous daemon left pending go out now.
  deliverer.start();
  o.logger.info('daemon ready', { source: source.url });

  async function stopParts(): Promise<void> {
    clearInterval(resync);
    clearInterval(sweeper);
    checkpointer.stop();
    diskFull?.stop();
    process.off('unhandledRejection', onAsyncError);
    await listener?.close();
    await deliverer.stop();
    await source.stop();
    controller.queue.shutdown();
    cronJobs.queue.shutdown();
    kubelet.shutdown(o.stopPodsOnExit ?? false);
    podEvents.stop();
    db.close();
    await new Promise<void>((r) => server.close(() => r()));
  }

  let stopping: Promise<void> | undefined;
  return {
    db,
    url: listener?.url,
    stop(): Promise<void> {
      stopping ??= (async () => {
        o.logger.info('daemon stopping', { stopPods: o.stopPodsOnExit ?? false });
        await stopParts();
        o.logger.info('daemon stopped');
      })();
      return stopping;
    },
  };
}

/** Set to `node` to start containers through the Node fork server even where the launcher was built. */
export const SPAWNER_ENV = 'GITJOBS_SPAWNER';

/**
 * Container starts go through the compiled launcher where it was built and
 * the supervisor itself switches the pod's user; else through the Node fork
 * server, unless we run from the TypeScript sources (tests of the daemon's
 * parts), where spawning from this process does.
 */
function spawnerFor(containment: Containment, stateDir: string, logger: Logger, lockFd: number | undefined): Spawner | undefined {
  const cg = containment.cgroups;
  const hold = lockFd === undefined ? {} : { holdFd: lockFd };
  const sup = containment.supervisor;
  // A supervisor spawned as the pod's user ('spawn') must be moved into its cgroup by Node.
  if (sup?.native === true && containment.switchBy !== 'spawn' && process.env[SPAWNER_ENV] !== 'node') {
    return new Launcher({ program: installSupervisor(stateDir, sup).path, cgroups: cg, logger, ...hold });
  }
  if (!forkServerAvailable()) return undefined;
  return new ForkServer({
    config: cg === undefined ? {} : { cgroups: { layout: cg.layout, hash: stateHash(stateDir), podPidsMax: cg.podPidsMax } },
    logger,
    ...hold,
  });
}
