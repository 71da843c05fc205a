import { randomInt, randomUUID } from 'node:crypto';
import { isPodTerminal, podCompletionIndex } from '../api/pods.js';
import { EVENT_SOURCE_JOB_CONTROLLER, EVENT_SOURCE_TTL_CONTROLLER, type Job, type JobStatus, type Pod } from '../api/types.js';
import { claimPods } from '../reconcile/claim.js';
import { adoptPod, listOrphanPods, releasePod } from '../store/claims.js';
import { reconcileJob } from '../reconcile/index.js';
import { podFinishTime } from '../reconcile/pod-facts.js';
import type { Plan, ReconcileOptions } from '../reconcile/index.js';
import { buildPod, emptyJobStatus, generatePodName, POD_NAME_ALPHABET } from '../reconcile/index.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getJob, listJobUidsNeedingSync, markJobDeleted, removeJob } from '../store/jobs.js';
import { insertPod, markPodGone, markPodsOfJobGone, removeFinalizer, requestPodDeletion, settlePod } from '../store/pods.js';
import { markRunDeleted, updateRunFromStatus } from '../store/runs.js';
import { getJobStatus, putJobStatus } from '../store/status.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { JobPodCache } from './pod-cache.js';
import { WorkQueue } from './queue.js';
import { errorFields } from '../errors.js';

export interface PodRuntime {
  syncPod(uid: string): void;
}

export interface ControllerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  reconcile: ReconcileOptions;
  runtime: PodRuntime;
  /** Called after a Job's row is removed, so the source can create its replacement. */
  onJobRemoved?: (job: Job) => void;
  /** Told how long each pass took (for the reconcile duration histogram). */
  onPass?: (ms: number) => void;
  /**
   * Called inside the transaction that writes a Job's new status, so what it
   * writes (the notification outbox) commits or rolls back with the status.
   */
  onStatusWritten?: (job: Job, prev: JobStatus, next: JobStatus, now: number) => void;
  /** Called after a pass wrote a Job's status (its owner CronJob follows its Jobs). */
  onJobStatusChanged?: (job: Job) => void;
  /** Called inside the transaction that counts ended pods into their Job's status, each pod once. */
  onPodsCounted?: (job: Job, pods: readonly Pod[], now: number) => void;
}

/**
 * The Job controller's impure half: a queue of Job uids; each pass re-reads the
 * Job, its status and its pods (those that changed since its last pass, through
 * JobPodCache), asks the pure reconciler for a plan, and applies the plan in one
 * transaction before touching any process.
 */
export class JobController {
  readonly queue: WorkQueue;
  private readonly pods: JobPodCache;

  constructor(private readonly o: ControllerOptions) {
    this.pods = new JobPodCache(o.db);
    this.queue = new WorkQueue(
      (key) => this.timedSync(key),
      (key, err) => {
        this.o.logger.error('sync failed', { job: key, ...errorFields(err) });
        // A rate-limited requeue: a failing Job backs off, doubling per failure, without spinning.
        this.queue.addRateLimited(key);
      },
      () => this.o.clock.now(),
    );
  }

  /** Queues every Job that may still need work: on start-up and as a periodic resync. */
  resyncAll(): void {
    for (const uid of listJobUidsNeedingSync(this.o.db)) this.queue.add(uid);
  }

  enqueue(jobUid: string): void {
    this.queue.add(jobUid);
  }

  private timedSync(jobUid: string): void {
    const onPass = this.o.onPass;
    if (onPass === undefined) return this.sync(jobUid);
    const t0 = performance.now();
    try {
      this.sync(jobUid);
    } finally {
      onPass(performance.now() - t0);
    }
  }

  /** One reconcile pass for one Job. Public for tests that drive the controller step by step. */
  sync(jobUid: string): void {
    const { db, clock } = this.o;
    const now = clock.now();
    const job = getJob(db, jobUid);
    if (job === undefined) return;
    const status = getJobStatus(db, jobUid) ?? emptyJobStatus();
    const pods = this.claim(job, status);
    const plan = reconcileJob({ job, status, pods, options: this.o.reconcile }, now);
    const touched = this.apply(job, status, pods, plan, now);
    for (const uid of touched) this.o.runtime.syncPod(uid);
    if (plan.statusChanged) this.o.onJobStatusChanged?.(job);
    this.pods.release(jobUid);
    if (plan.removeJob) {
      this.pods.forget(jobUid);
      this.o.logger.info('job deleted', { job: `${job.namespace}/${job.name}`, uid: job.uid });
      this.o.onJobRemoved?.(job);
      return;
    }
    if (plan.ttlExpired) {
      this.queue.add(jobUid);
      return;
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(jobUid, plan.requeueAfterMs);
  }

  /**
   * Adopts matching orphans and releases pods that stopped matching, in one
   * transaction, then returns the pods the Job controls.
   */
  private claim(job: Job, status: JobStatus): Pod[] {
    const { db, logger } = this.o;
    const owned = this.pods.pods(job.uid);
    const finished = status.conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const { adopt, release } = claimPods(job, finished, owned, finished ? [] : listOrphanPods(db, job.namespace));
    if (adopt.length === 0 && release.length === 0) return owned;
    const adopted = db.transaction(() => {
      for (const uid of release) releasePod(db, uid, job.uid);
      return adopt.filter((uid) => adoptPod(db, uid, { uid: job.uid, name: job.name }));
    })();
    const ref = `${job.namespace}/${job.name}`;
    for (const uid of adopted) logger.info('pod adopted', { job: ref, pod: uid });
    for (const uid of release) logger.info('pod released', { job: ref, pod: uid });
    this.pods.forget(job.uid);
    return this.pods.pods(job.uid);
  }

  /** Writes the plan in one transaction; returns the pods whose processes must change. */
  private apply(job: Job, prev: JobStatus, pods: Pod[], plan: Plan, now: number): string[] {
    const { db, logger } = this.o;
    const touched: string[] = [];
    const created: string[] = [];
    const jobRef = { kind: 'Job' as const, namespace: job.namespace, name: job.name, uid: job.uid };
    const byUid = new Map(pods.map((p) => [p.uid, p]));
    const finalized = new Set(plan.finalize);
    db.transaction(() => {
      for (const create of plan.create) {
        const name = generatePodName(job, create.index, randomSuffix());
        const pod = buildPod(job, create, { uid: randomUUID(), name }, now);
        insertPod(db, pod, podCompletionIndex(pod), now);
        recordEvent(db, { object: jobRef, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${name}`, source: EVENT_SOURCE_JOB_CONTROLLER }, now);
        touched.push(pod.uid);
        created.push(name);
      }
      for (const del of plan.delete) {
        const pod = byUid.get(del.uid);
        if (pod === undefined) continue;
        if (del.removeFinalizer) removeFinalizer(db, pod.uid);
        requestPodDeletion(db, pod.uid, now, pod.spec.terminationGracePeriodSeconds);
        recordEvent(db, { object: jobRef, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.name}`, source: EVENT_SOURCE_JOB_CONTROLLER }, now);
        touched.push(pod.uid);
      }
      const counted: Pod[] = [];
      for (const uid of plan.finalize) {
        removeFinalizer(db, uid);
        // Counted and ended: later passes need not read it again (see listSyncRows).
        const pod = byUid.get(uid);
        if (pod !== undefined && isPodTerminal(pod) && pod.deletionTimestamp === undefined) settlePod(db, uid, podFinishTime(pod));
        if (pod !== undefined && isPodTerminal(pod)) counted.push(pod);
      }
      if (counted.length > 0) this.o.onPodsCounted?.(job, counted, now);
      // A deleted pod that has ended and been accounted for is gone, as the API server would remove it.
      for (const pod of pods) {
        if (pod.deletionTimestamp !== undefined && isPodTerminal(pod) && (finalized.has(pod.uid) || !pod.trackingFinalizer)) {
          markPodGone(db, pod.uid);
        }
      }
      if (plan.statusChanged) {
        putJobStatus(db, job.uid, plan.status);
        updateRunFromStatus(db, job.uid, plan.status);
        this.o.onStatusWritten?.(job, prev, plan.status, now);
      }
      for (const e of plan.events) recordEvent(db, { object: jobRef, ...e, source: EVENT_SOURCE_JOB_CONTROLLER }, now);
      if (plan.ttlExpired) {
        markJobDeleted(db, job.uid, now);
        markRunDeleted(db, job.uid, now, EVENT_SOURCE_TTL_CONTROLLER);
      }
      if (plan.removeJob) {
        // Foreground deletion: the Job goes last, with every pod it still had.
        markPodsOfJobGone(db, job.uid);
        markRunDeleted(db, job.uid, now, 'deletion');
        removeJob(db, job.uid);
      }
    })();
    for (const name of created) logger.info('pod created', { job: `${job.namespace}/${job.name}`, pod: name });
    for (const d of plan.delete) logger.info('pod deleted', { job: `${job.namespace}/${job.name}`, pod: byUid.get(d.uid)?.name, reason: d.reason });
    for (const e of plan.events) logger.info(`job ${e.reason}`, { job: `${job.namespace}/${job.name}`, message: e.message });
    if (plan.ttlExpired) logger.info('job TTL expired, deleting', { job: `${job.namespace}/${job.name}` });
    return touched;
  }
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += POD_NAME_ALPHABET[randomInt(POD_NAME_ALPHABET.length)];
  return s;
}
