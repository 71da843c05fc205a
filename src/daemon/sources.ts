import type { Job } from '../api/types.js';
import { DirSource } from '../source/dir.js';
import type { Db } from '../store/db.js';
import { syncSource, type SourceSnapshot } from '../sync/syncer.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { DaemonObserver } from '../metrics/daemon-metrics.js';
import type { SourceHandle } from '../ops/control.js';

/** A source as the daemon runs it: started, stopped, synced on demand, and asked where pods run. */
export interface RunningSource extends SourceHandle {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Read the source again soon, without waiting (e.g. after a replaced Job is gone). */
  poke(): void;
  /** The working directory and variables of the pods of a Job from this source. */
  podContext(job: Job | undefined): { cwd: string; env: Record<string, string> };
  /** Periodic housekeeping with the Jobs and CronJobs that exist now (a CronJob's next Job needs its commit). */
  sweep(live: readonly Pick<Job, 'origin'>[]): void;
}

export interface SourceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  stateDir: string;
  /** Jobs whose desired state changed. */
  onChanged(uids: readonly string[]): void;
  /** Fetches and applied revisions, for the metrics; unset: nobody counts them. */
  observer?: Pick<DaemonObserver, 'sourceFetched' | 'sourceApplied'>;
  /** Called inside the transaction that records a newly failing sync (the notification outbox). */
  onSyncFailed?: (failure: { source: string; reason: string; message: string; lastGoodRevision?: string }, now: number) => void;
  /** CronJobs whose desired state changed. */
  onCronJobsChanged?(uids: readonly string[]): void;
}

/** Applies a snapshot to the store and tells the controller which Jobs changed. */
export function applySnapshot(deps: SourceDeps, snap: SourceSnapshot, reported: Set<string>): void {
  const now = deps.clock.now();
  const result = syncSource(deps.db, snap, now, deps.logger, reported);
  deps.observer?.sourceApplied(snap.name, snap.revision, now);
  deps.onChanged(result.changed);
  if (result.changedCronJobs.length > 0) deps.onCronJobsChanged?.(result.changedCronJobs);
}

/** Provenance variables every pod of a Job gets. */
export function originEnv(job: Job | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (job === undefined) return env;
  env.GITJOBS_SOURCE = job.origin.source;
  if (job.origin.path) env.GITJOBS_MANIFEST = job.origin.path;
  if (job.origin.commit) env.GITJOBS_REVISION = job.origin.commit.sha;
  else if (job.origin.revision) env.GITJOBS_REVISION = job.origin.revision;
  return env;
}

/** The watched folder: pods start in it. */
export function dirSource(dir: string, deps: SourceDeps): RunningSource {
  const reported = new Set<string>();
  let lastRevision = '';
  const source = new DirSource({
    dir,
    logger: deps.logger,
    onSnapshot: (snap) => {
      lastRevision = snap.revision;
      applySnapshot(deps, { name: dir, kind: 'dir', url: dir, revision: snap.revision, manifests: snap.manifests, heldBack: snap.heldBack }, reported);
    },
  });
  return {
    name: dir,
    kind: 'dir',
    url: dir,
    start: () => source.start(),
    stop: () => source.stop(),
    sync: async () => {
      await source.scan();
      return { revision: lastRevision };
    },
    poke: () => void source.scan(),
    podContext: (job) => ({ cwd: dir, env: originEnv(job) }),
    sweep: () => {},
  };
}
