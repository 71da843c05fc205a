import { describe, expect, it } from 'vitest';
import type { ConcurrencyPolicy, CronJob, CronJobStatus } from '../../src/api/cronjob.js';
import { defaultCronJobSpec } from '../../src/manifest/cronjob.js';
import { reconcileCronJob, scheduledJobName, type ChildJob, type CronJobPlan } from '../../src/reconcile/cronjob.js';

// Ported from Kubernetes' TestControllerV2SyncCronJob
// (pkg/controller/cronjob/cronjob_controllerv2_test.go): the same times, the same
// schedule ("0 * * * ?", hourly), the same deadlines, and their expected outcomes.
const TOP = Date.parse('2016-05-19T10:00:00Z');
const M = 60_000;
const H = 60 * M;
const justBeforeTheHour = TOP - M;
const justAfterTheHour = TOP + M;
const justBeforeThePriorHour = TOP - H - M;
const justAfterThePriorHour = TOP - H + M;
const weekAfterTheHour = TOP + 7 * 24 * H;
const onTheHour = '0 * * * ?';
const errorSchedule = 'obvious error schedule';
const shortDead = 5;
const mediumDead = 2 * 60 * 60;
const longDead = 1_000_000;

function cronJob(o: { policy?: ConcurrencyPolicy; suspend?: boolean; schedule?: string; deadline?: number; created: number }): CronJob {
  const spec = defaultCronJobSpec({
    schedule: o.schedule ?? onTheHour,
    timeZone: 'UTC',
    concurrencyPolicy: o.policy ?? 'Allow',
    suspend: o.suspend ?? false,
    ...(o.deadline === undefined ? {} : { startingDeadlineSeconds: o.deadline }),
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', command: ['true'] }] } } } },
  });
  return {
    uid: 'cj-uid',
    namespace: 'default',
    name: 'mycronjob',
    labels: {},
    annotations: {},
    creationTimestamp: o.created,
    generation: 1,
    spec,
    origin: { kind: 'dir', source: 'test' },
  };
}

interface Case {
  policy: ConcurrencyPolicy;
  suspend?: boolean;
  schedule?: string;
  deadline?: number;
  ranPreviously: boolean;
  stillActive: boolean;
  now: number;
  // expectations
  create: boolean;
  delete: boolean;
  active: number;
  warnings: string[];
  requeueAfter?: number;
  updateStatus: boolean;
}

const A = 'Allow' as const;
const F = 'Forbid' as const;
const R = 'Replace' as const;

const cases: Record<string, Case> = {
  'never ran, not valid schedule, A': { policy: A, schedule: errorSchedule, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: ['UnparseableSchedule'], updateStatus: false },
  'never ran, not time, A': { policy: A, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'never ran, not time, F': { policy: F, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'never ran, not time, R': { policy: R, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'never ran, not time, but suspended': { policy: A, suspend: true, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], updateStatus: false },
  'never ran, not time, shorter deadline': { policy: A, deadline: shortDead, ranPreviously: false, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'never ran, is time, A': { policy: A, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'never ran, is time, F': { policy: F, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'never ran, is time, R': { policy: R, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'never ran, is time, suspended': { policy: A, suspend: true, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: false, delete: false, active: 0, warnings: [], updateStatus: false },
  // The deadline passed: nothing runs. Kubernetes used to report the miss (MissSchedule); see reconcileCronJob.
  'never ran, is time, past deadline': { policy: A, deadline: shortDead, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: false, delete: false, active: 0, warnings: ['MissSchedule'], requeueAfter: H - M + 100, updateStatus: false },
  'never ran, is time, not past deadline': { policy: A, deadline: longDead, ranPreviously: false, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },

  'prev ran but done, not time, A': { policy: A, ranPreviously: true, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'prev ran but done, not time, F': { policy: F, ranPreviously: true, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'prev ran but done, not time, R': { policy: R, ranPreviously: true, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'prev ran but done, not time, suspended': { policy: A, suspend: true, ranPreviously: true, stillActive: false, now: justBeforeTheHour, create: false, delete: false, active: 0, warnings: [], updateStatus: false },
  'prev ran but done, is time, A': { policy: A, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'prev ran but done, is time, F': { policy: F, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'prev ran but done, is time, R': { policy: R, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'prev ran but done, is time, suspended': { policy: A, suspend: true, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: false, delete: false, active: 0, warnings: [], updateStatus: false },
  'prev ran but done, is time, past deadline': { policy: A, deadline: shortDead, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: false, delete: false, active: 0, warnings: ['MissSchedule'], requeueAfter: H - M + 100, updateStatus: false },
  'prev ran but done, is time, not past deadline': { policy: A, deadline: longDead, ranPreviously: true, stillActive: false, now: justAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },

  'still active, not time, A': { policy: A, ranPreviously: true, stillActive: true, now: justBeforeTheHour, create: false, delete: false, active: 1, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'still active, not time, F': { policy: F, ranPreviously: true, stillActive: true, now: justBeforeTheHour, create: false, delete: false, active: 1, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'still active, not time, R': { policy: R, ranPreviously: true, stillActive: true, now: justBeforeTheHour, create: false, delete: false, active: 1, warnings: [], requeueAfter: M + 100, updateStatus: false },
  'still active, is time, A': { policy: A, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: true, delete: false, active: 2, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'still active, is time, F': { policy: F, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: false, delete: false, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: false },
  'still active, is time, R': { policy: R, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: true, delete: true, active: 1, warnings: [], requeueAfter: H - M + 100, updateStatus: true },
  'still active, is time, suspended': { policy: A, suspend: true, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: false, delete: false, active: 1, warnings: [], updateStatus: false },
  'still active, is time, past deadline': { policy: A, deadline: shortDead, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: false, delete: false, active: 1, warnings: ['MissSchedule'], requeueAfter: H - M + 100, updateStatus: false },
  'still active, is time, not past deadline': { policy: A, deadline: longDead, ranPreviously: true, stillActive: true, now: justAfterTheHour, create: true, delete: false, active: 2, warnings: [], requeueAfter: H - M + 100, updateStatus: true },

  // Controller was down for a week: only the most recent time runs.
  'prev ran but done, long overdue, not past deadline, A': { policy: A, deadline: longDead, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: ['TooManyMissedTimes'], requeueAfter: H + 100, updateStatus: true },
  'prev ran but done, long overdue, no deadline, A': { policy: A, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: ['TooManyMissedTimes'], requeueAfter: H + 100, updateStatus: true },
  'prev ran but done, long overdue, past medium deadline, A': { policy: A, deadline: mediumDead, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H + 100, updateStatus: true },
  'prev ran but done, long overdue, past short deadline, A': { policy: A, deadline: shortDead, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: [], requeueAfter: H + 100, updateStatus: true },
  'prev ran but done, long overdue, no deadline, F': { policy: F, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: ['TooManyMissedTimes'], requeueAfter: H + 100, updateStatus: true },
  'prev ran but done, long overdue, no deadline, R': { policy: R, ranPreviously: true, stillActive: false, now: weekAfterTheHour, create: true, delete: false, active: 1, warnings: ['TooManyMissedTimes'], requeueAfter: H + 100, updateStatus: true },
};

function run(c: Case): { plan: CronJobPlan; previous: ChildJob | undefined } {
  const cj = cronJob({ policy: c.policy, ...(c.suspend === undefined ? {} : { suspend: c.suspend }), ...(c.schedule === undefined ? {} : { schedule: c.schedule }), ...(c.deadline === undefined ? {} : { deadline: c.deadline }), created: c.ranPreviously ? justBeforeThePriorHour : justBeforeTheHour });
  const status: CronJobStatus = { active: [] };
  const jobs: ChildJob[] = [];
  let previous: ChildJob | undefined;
  if (c.ranPreviously) {
    status.lastScheduleTime = justAfterThePriorHour;
    previous = { uid: 'job-1', namespace: 'default', name: scheduledJobName('mycronjob', justAfterThePriorHour), deleting: false, startTime: justAfterThePriorHour };
    if (!c.stillActive) Object.assign(previous, { finished: 'Complete', completionTime: justAfterThePriorHour + 1000 });
    else status.active.push({ namespace: 'default', name: previous.name, uid: previous.uid });
    jobs.push(previous);
  }
  if (!c.stillActive && c.ranPreviously) status.lastSuccessfulTime = justAfterThePriorHour + 1000;
  return { plan: reconcileCronJob({ cronJob: cj, status, jobs, newJobUid: 'new-uid' }, c.now), previous };
}

describe('reconcileCronJob (TestControllerV2SyncCronJob)', () => {
  it.each(Object.entries(cases))('%s', (_name, c) => {
    const { plan, previous } = run(c);
    expect(plan.create !== undefined).toBe(c.create);
    expect(plan.delete.map((d) => d.uid)).toEqual(c.delete ? [previous!.uid] : []);
    expect(plan.status.active).toHaveLength(c.active);
    expect(plan.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).toEqual(c.warnings);
    expect(plan.requeueAfterMs).toBe(c.requeueAfter);
    expect(plan.statusChanged).toBe(c.updateStatus);
    if (c.create) {
      // Named after the scheduled time in Unix minutes: the top of the hour before now.
      const scheduled = Math.floor(c.now / H) * H;
      expect(plan.create).toEqual({ name: `mycronjob-${scheduled / M}`, uid: 'new-uid', scheduledTime: scheduled });
      expect(plan.status.lastScheduleTime).toBe(scheduled);
      expect(plan.events.map((e) => e.message)).toContain(`Created job mycronjob-${scheduled / M}`);
    }
  });
});

describe('reconcileCronJob beyond the ported table', () => {
  const base = (): CronJob => cronJob({ created: justBeforeTheHour });
  const child = (name: string, o: Partial<ChildJob> = {}): ChildJob => ({ uid: `uid-${name}`, namespace: 'default', name, deleting: false, ...o });

  it('a finished active Job leaves the active list with SawCompletedJob, and sets lastSuccessfulTime', () => {
    const j = child('mycronjob-1', { finished: 'Complete', startTime: TOP, completionTime: TOP + 5000 });
    const plan = reconcileCronJob({ cronJob: base(), status: { active: [{ namespace: 'default', name: j.name, uid: j.uid }], lastScheduleTime: TOP }, jobs: [j], newJobUid: 'n' }, TOP + 10_000);
    expect(plan.status.active).toEqual([]);
    expect(plan.status.lastSuccessfulTime).toBe(TOP + 5000);
    expect(plan.events).toContainEqual({ type: 'Normal', reason: 'SawCompletedJob', message: 'Saw completed job: mycronjob-1, status: Complete' });
  });

  it('an active Job that is gone is dropped with MissingJob', () => {
    const plan = reconcileCronJob({ cronJob: base(), status: { active: [{ namespace: 'default', name: 'x', uid: 'gone' }], lastScheduleTime: TOP }, jobs: [], newJobUid: 'n' }, TOP + 10_000);
    expect(plan.status.active).toEqual([]);
    expect(plan.events).toContainEqual({ type: 'Normal', reason: 'MissingJob', message: 'Active job went missing: x' });
  });

  it('history limits delete the oldest finished Jobs, successful and failed apart', () => {
    const cj = base();
    cj.spec.successfulJobsHistoryLimit = 2;
    cj.spec.failedJobsHistoryLimit = 1;
    const jobs = [
      child('s1', { finished: 'Complete', startTime: 1 }),
      child('s2', { finished: 'Complete', startTime: 2 }),
      child('s3', { finished: 'Complete', startTime: 3 }),
      child('f1', { finished: 'Failed', startTime: 1 }),
      child('f2', { finished: 'Failed', startTime: 2 }),
      child('f0', { finished: 'Failed' }),
    ];
    const plan = reconcileCronJob({ cronJob: cj, status: { active: [], lastScheduleTime: TOP }, jobs, newJobUid: 'n' }, TOP + 10_000);
    // A Job without a start time sorts last, so it counts as the newest.
    expect(plan.delete.map((d) => d.name)).toEqual(['s1', 'f1', 'f2']);
    expect(plan.events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message)).toEqual(['Deleted job s1', 'Deleted job f1', 'Deleted job f2']);
  });

  it('a Job made for the due time but lost from the status is taken back, never made twice', () => {
    const name = scheduledJobName('mycronjob', TOP);
    const plan = reconcileCronJob({ cronJob: base(), status: { active: [] }, jobs: [child(name, { startTime: TOP })], newJobUid: 'n' }, justAfterTheHour);
    expect(plan.create).toBeUndefined();
    expect(plan.status.active.map((a) => a.name)).toEqual([name]);
    expect(plan.status.lastScheduleTime).toBe(TOP);
  });

  it('a second pass with the first plan applied does nothing but wait for the next time', () => {
    const cj = base();
    const first = reconcileCronJob({ cronJob: cj, status: { active: [] }, jobs: [], newJobUid: 'n' }, justAfterTheHour);
    const made = child(first.create!.name, { uid: 'n', startTime: justAfterTheHour });
    const second = reconcileCronJob({ cronJob: cj, status: first.status, jobs: [made], newJobUid: 'm' }, justAfterTheHour + 1000);
    expect(second.create).toBeUndefined();
    expect(second.statusChanged).toBe(false);
    expect(second.events).toEqual([]);
    expect(second.requeueAfterMs).toBe(H - M - 1000 + 100);
  });

  it('a CronJob being deleted makes nothing and finishes its deletion with its cascade', () => {
    const cj = { ...base(), deletionTimestamp: TOP, deletionCascade: 'orphan' as const };
    const plan = reconcileCronJob({ cronJob: cj, status: { active: [] }, jobs: [], newJobUid: 'n' }, justAfterTheHour);
    expect(plan.create).toBeUndefined();
    expect(plan.finishDeletion).toBe('orphan');
  });

  it('a time zone decides the wall clock: 9:00 in Tokyo is midnight UTC', () => {
    const cj = base();
    cj.spec.schedule = '0 9 * * *';
    cj.spec.timeZone = 'Asia/Tokyo';
    cj.creationTimestamp = Date.parse('2016-05-18T12:00:00Z');
    const plan = reconcileCronJob({ cronJob: cj, status: { active: [] }, jobs: [], newJobUid: 'n' }, Date.parse('2016-05-19T00:00:30Z'));
    expect(plan.create?.scheduledTime).toBe(Date.parse('2016-05-19T00:00:00Z'));
  });

  it('across a DST change, a Berlin 2:30 job made once for the repeated hour and then for each 2:30', () => {
    const cj = base();
    cj.spec.schedule = '30 2 * * *';
    cj.spec.timeZone = 'Europe/Berlin';
    cj.creationTimestamp = Date.parse('2026-10-24T12:00:00Z');
    let status: CronJobStatus = { active: [] };
    const made: number[] = [];
    for (let now = Date.parse('2026-10-24T12:00:00Z'); now < Date.parse('2026-10-26T12:00:00Z'); now += 10 * M) {
      const plan = reconcileCronJob({ cronJob: cj, status, jobs: [], newJobUid: `u${now}` }, now);
      if (plan.create) made.push(plan.create.scheduledTime);
      status = { ...plan.status, active: [] };
    }
    expect(made.map((t) => new Date(t).toISOString())).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});
