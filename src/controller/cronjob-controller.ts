import { randomUUID } from 'node:crypto';
import {
  CRONJOB_CONTROLLER,
  emptyCronJobStatus,
  SCHEDULED_TIMESTAMP_ANNOTATION,
  type CronJob,
} from '../api/cronjob.js';
import type { Job } from '../api/types.js';
import { jobFromTemplate, rfc3339InZone } from '../sync/job-from-template.js';
import { finishedCondition } from '../reconcile/conditions.js';
import { reconcileCronJob, type ChildJob, type CronJobPlan } from '../reconcile/cronjob.js';
import { getCronJob, getCronJobStatus, listCronJobUids, putCronJobStatus, removeCronJob } from '../store/cronjobs.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getJob, getJobByName, listJobsByOwner, markJobDeleted, releaseJobsOfOwner } from '../store/jobs.js';
import { markRunDeleted } from '../store/runs.js';
import { getJobStatus } from '../store/status.js';
import { APPLY_SOURCE, insertNewJob } from '../sync/manual.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { WorkQueue } from './queue.js';

export interface CronJobControllerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Jobs created or deleted by a pass: the Job controller must look at them. */
  onJobsChanged: (uids: readonly string[]) => void;
}

/** `runs.deleted_by` of a Job the CronJob controller deleted (Replace, history limits). */
export const DELETED_BY_CRONJOB = CRONJOB_CONTROLLER;

/**
 * The CronJob controller's impure half: a queue of CronJob uids. Each pass
 * re-reads the CronJob, its status and its Jobs, asks reconcileCronJob for a
 * plan, applies it in one transaction, and comes back at the next due time
 * (a delayed requeue: an idle CronJob costs one timer, never a poll).
 */
export class CronJobController {
  readonly queue: WorkQueue;

  constructor(private readonly o: CronJobControllerOptions) {
    this.queue = new WorkQueue(
      (key) => this.sync(key),
      (key, err) => {
        this.o.logger.error('cronjob sync failed', { cronjob: key, error: err instanceof Error ? err.message : String(err) });
        this.queue.addAfter(key, 1000);
      },
      () => this.o.clock.now(),
    );
  }

  /** On start-up: every CronJob once, which then requeues itself at its next due time. */
  resyncAll(): void {
    for (const uid of listCronJobUids(this.o.db)) this.queue.add(uid);
  }

  enqueue(uid: string): void {
    this.queue.add(uid);
  }

  /** A Job changed (status, deletion): its owner CronJob looks again. */
  jobChanged(job: Job): void {
    if (job.owner !== undefined) this.queue.add(job.owner.uid);
  }

  sync(uid: string): void {
    const { db, clock } = this.o;
    const now = clock.now();
    const cj = getCronJob(db, uid);
    if (cj === undefined) return;
    const status = getCronJobStatus(db, uid) ?? emptyCronJobStatus();
    const jobs = listJobsByOwner(db, uid).map((j) => childOf(db, j));
    const plan = reconcileCronJob({ cronJob: cj, status, jobs, newJobUid: randomUUID() }, now);
    const changedJobs = this.apply(cj, plan, now);
    if (changedJobs.length > 0) this.o.onJobsChanged(changedJobs);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(uid, plan.requeueAfterMs);
  }

  /** The plan in one transaction; returns the Jobs created or deleted. */
  private apply(cj: CronJob, plan: CronJobPlan, now: number): string[] {
    const { db, logger } = this.o;
    const ref = { kind: 'CronJob' as const, namespace: cj.namespace, name: cj.name, uid: cj.uid };
    const changed: string[] = [];
    const key = `${cj.namespace}/${cj.name}`;
    let created: Job | undefined;
    db.transaction(() => {
      for (const d of plan.delete) {
        const job = getJob(db, d.uid);
        if (job === undefined) continue;
        markJobDeleted(db, job.uid, now);
        markRunDeleted(db, job.uid, now, DELETED_BY_CRONJOB);
        changed.push(job.uid);
      }
      const events = [...plan.events];
      if (plan.create !== undefined) {
        const { name, uid, scheduledTime } = plan.create;
        if (getJobByName(db, cj.namespace, name) !== undefined) {
          // Someone else's Job holds the name: as Kubernetes, assume it is taken care of.
          logger.warn('cronjob job name taken by another job', { cronjob: key, job: name });
          return;
        }
        const parsed = jobFromTemplate(cj, name, { [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339InZone(scheduledTime, cj.spec.timeZone) });
        created = insertNewJob(db, parsed, { uid, annotations: parsed.annotations, origin: { ...cj.origin }, owner: { kind: 'CronJob', name: cj.name, uid: cj.uid }, trigger: 'schedule' }, now);
        changed.push(uid);
      }
      if (plan.statusChanged) putCronJobStatus(db, cj.uid, plan.status);
      for (const e of events) recordEvent(db, { object: ref, ...e, source: CRONJOB_CONTROLLER }, now);
      if (plan.finishDeletion !== undefined) {
        if (plan.finishDeletion === 'orphan') releaseJobsOfOwner(db, cj.uid, APPLY_SOURCE);
        else {
          for (const job of listJobsByOwner(db, cj.uid)) {
            if (job.deletionTimestamp !== undefined) continue;
            markJobDeleted(db, job.uid, now);
            markRunDeleted(db, job.uid, now, 'deletion');
            changed.push(job.uid);
          }
        }
        removeCronJob(db, cj.uid);
      }
    })();
    if (created !== undefined) logger.info('cronjob job created', { cronjob: key, job: created.name });
    for (const d of plan.delete) logger.info('cronjob job deleted', { cronjob: key, job: d.name });
    for (const e of plan.events) if (e.type === 'Warning') logger.warn(`cronjob ${e.reason}`, { cronjob: key, message: e.message });
    if (plan.finishDeletion !== undefined) logger.info('cronjob deleted', { cronjob: key, cascade: plan.finishDeletion });
    return changed;
  }
}

function childOf(db: Db, j: Job): ChildJob {
  const status = getJobStatus(db, j.uid);
  const c: ChildJob = { uid: j.uid, namespace: j.namespace, name: j.name, deleting: j.deletionTimestamp !== undefined };
  const finished = status === undefined ? undefined : finishedCondition(status);
  if (finished !== undefined) c.finished = finished.type as 'Complete' | 'Failed';
  if (status?.startTime !== undefined) c.startTime = status.startTime;
  if (status?.completionTime !== undefined) c.completionTime = status.completionTime;
  else if (finished?.type === 'Complete') c.completionTime = finished.lastTransitionTime;
  return c;
}
