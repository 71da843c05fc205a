// One pass of the CronJob controller over one CronJob (Kubernetes' syncCronJob
// and cleanupFinishedJobs, pkg/controller/cronjob/cronjob_controllerv2.go):
// from the CronJob, its status and the Jobs it owns to a plan. Pure: the time,
// the uid of a Job to create and the host's zone come in as arguments.
import type { CronJob, CronJobStatus, JobReference } from '../api/cronjob.js';
import type { Millis } from '../api/types.js';
import { mostRecentScheduleTime, nextScheduleDelay } from '../cronjob/missed.js';
import { parseSchedule } from '../cronjob/schedule.js';
import type { EventDraft } from './plan.js';

/** What the CronJob controller needs to know of a Job it owns. */
export interface ChildJob {
  uid: string;
  namespace: string;
  name: string;
  /** Set while the Job is being deleted. */
  deleting: boolean;
  finished?: 'Complete' | 'Failed';
  startTime?: Millis;
  completionTime?: Millis;
}

export interface CronJobInput {
  cronJob: CronJob;
  status: CronJobStatus;
  /** Every Job whose controller owner is this CronJob and that still exists. */
  jobs: readonly ChildJob[];
  /** The uid the Job created in this pass (if any) will have. */
  newJobUid: string;
}

export interface CronJobPlan {
  /** The Job to make from the template, at most one a pass. */
  create?: { name: string; uid: string; scheduledTime: Millis };
  /** Jobs to delete: replaced (Replace) or beyond the history limits. */
  delete: JobReference[];
  status: CronJobStatus;
  statusChanged: boolean;
  events: EventDraft[];
  /** The next due time, as a delay; undefined: only a change to the CronJob or its Jobs brings it back. */
  requeueAfterMs?: number;
  /** The CronJob is being deleted: finish that (its Jobs go, or stay without an owner). */
  finishDeletion?: NonNullable<CronJob['deletionCascade']>;
}

/** `<cronjob>-<scheduled time in Unix minutes>`: the idempotency key of a scheduled run. */
export function scheduledJobName(cronJobName: string, scheduledTime: Millis): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 1123 with a numeric zone, as Go's time.RFC1123Z in UTC. */
export function rfc1123z(ms: Millis): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function reconcileCronJob(input: CronJobInput, now: Millis): CronJobPlan {
  const { cronJob: cj, jobs } = input;
  const status: CronJobStatus = { ...input.status, active: [...input.status.active] };
  const events: EventDraft[] = [];
  const plan: CronJobPlan = { delete: [], status, statusChanged: false, events };
  const isActive = (uid: string): boolean => status.active.some((a) => a.uid === uid);
  const dropActive = (uid: string): void => {
    status.active = status.active.filter((a) => a.uid !== uid);
  };

  for (const j of jobs) {
    const found = isActive(j.uid);
    if (!found && j.finished === undefined && !j.deleting) {
      // Made by someone else with us as owner (create job --from=cronjob/...), or forgotten.
      events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${j.name}` });
    } else if (found && j.finished !== undefined) {
      dropActive(j.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.name}, status: ${j.finished}` });
    }
    if (j.finished === 'Complete' && j.completionTime !== undefined) {
      if (status.lastSuccessfulTime === undefined || j.completionTime > status.lastSuccessfulTime) status.lastSuccessfulTime = j.completionTime;
    }
  }
  const children = new Set(jobs.map((j) => j.uid));
  for (const a of [...status.active]) {
    if (children.has(a.uid)) continue;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${a.name}` });
    dropActive(a.uid);
  }

  if (cj.deletionTimestamp !== undefined) {
    plan.finishDeletion = cj.deletionCascade ?? 'background';
    return finish(input.status, plan);
  }

  scheduleNext(input, now, plan);
  cleanupFinishedJobs(cj, jobs, plan);
  return finish(input.status, plan);
}

function scheduleNext(input: CronJobInput, now: Millis, plan: CronJobPlan): void {
  const { cronJob: cj } = input;
  const { status, events } = plan;
  if (cj.spec.suspend) return;
  const parsed = parseSchedule(cj.spec.schedule, cj.spec.timeZone);
  if (!parsed.ok) {
    events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${parsed.message}` });
    return;
  }
  const sched = parsed.schedule;
  const facts = () => ({ creationTimestamp: cj.creationTimestamp, lastScheduleTime: status.lastScheduleTime, startingDeadlineSeconds: cj.spec.startingDeadlineSeconds });
  const requeue = (): void => {
    const d = nextScheduleDelay(facts(), now, sched);
    if (d !== undefined) plan.requeueAfterMs = Math.max(d, 1);
  };

  const within = mostRecentScheduleTime(facts(), now, sched, true);
  if (within.error !== undefined) {
    events.push({ type: 'Warning', reason: 'InvalidSchedule', message: `invalid schedule: ${cj.spec.schedule} : ${within.error}` });
    return;
  }
  if (within.mostRecent !== undefined && within.missed === 'many') {
    events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  }
  const scheduledTime = within.mostRecent;
  if (scheduledTime === undefined) {
    // Nothing due within the deadline. A due time the deadline left behind is
    // reported, as the controller did before the deadline moved into the search.
    const any = cj.spec.startingDeadlineSeconds === undefined ? undefined : mostRecentScheduleTime(facts(), now, sched, false).mostRecent;
    if (any !== undefined && any + cj.spec.startingDeadlineSeconds! * 1000 < now) {
      events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc1123z(any)}` });
    }
    requeue();
    return;
  }
  const name = scheduledJobName(cj.name, scheduledTime);
  if (status.active.some((a) => a.name === name) || status.lastScheduleTime === scheduledTime) {
    requeue();
    return;
  }
  // Made already, and the status lost it: take it back instead of making a second.
  const existing = input.jobs.find((j) => j.name === name);
  if (existing !== undefined) {
    status.active.push({ namespace: existing.namespace, name: existing.name, uid: existing.uid });
    status.lastScheduleTime = scheduledTime;
    requeue();
    return;
  }
  if (cj.spec.concurrencyPolicy === 'Forbid' && status.active.length > 0) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    requeue();
    return;
  }
  if (cj.spec.concurrencyPolicy === 'Replace') {
    for (const a of [...status.active]) deleteJob(a, plan);
  }
  plan.create = { name, uid: input.newJobUid, scheduledTime };
  events.push({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created job ${name}` });
  status.active.push({ namespace: cj.namespace, name, uid: input.newJobUid });
  status.lastScheduleTime = scheduledTime;
  requeue();
}

/** The history limits: the oldest finished Jobs beyond them go (by start time, then name). */
function cleanupFinishedJobs(cj: CronJob, jobs: readonly ChildJob[], plan: CronJobPlan): void {
  const live = jobs.filter((j) => !j.deleting);
  removeOldest(live.filter((j) => j.finished === 'Complete'), cj.spec.successfulJobsHistoryLimit, plan);
  removeOldest(live.filter((j) => j.finished === 'Failed'), cj.spec.failedJobsHistoryLimit, plan);
}

function removeOldest(finished: ChildJob[], limit: number, plan: CronJobPlan): void {
  const excess = finished.length - limit;
  if (excess <= 0) return;
  const sorted = [...finished].sort(byStartTime);
  for (const j of sorted.slice(0, excess)) deleteJob({ namespace: j.namespace, name: j.name, uid: j.uid }, plan);
}

function byStartTime(a: ChildJob, b: ChildJob): number {
  if (a.startTime === undefined && b.startTime !== undefined) return 1;
  if (a.startTime !== undefined && b.startTime === undefined) return -1;
  if (a.startTime === b.startTime) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return a.startTime! - b.startTime!;
}

function deleteJob(ref: JobReference, plan: CronJobPlan): void {
  if (plan.delete.some((d) => d.uid === ref.uid)) return;
  plan.delete.push(ref);
  plan.status.active = plan.status.active.filter((a) => a.uid !== ref.uid);
  plan.events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${ref.name}` });
}

function finish(previous: CronJobStatus, plan: CronJobPlan): CronJobPlan {
  plan.statusChanged =
    JSON.stringify(previous.active) !== JSON.stringify(plan.status.active) ||
    previous.lastScheduleTime !== plan.status.lastScheduleTime ||
    previous.lastSuccessfulTime !== plan.status.lastSuccessfulTime;
  return plan;
}
