// Which scheduled time is due: Kubernetes' mostRecentScheduleTime and
// nextScheduleTimeDuration (pkg/controller/cronjob/utils.go), on epoch ms.
import type { Schedule } from './schedule.js';

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The last schedule time, or the creation time, possibly moved up to the starting deadline. */
  earliest: number;
  /** The most recent scheduled time not after now, if any since `earliest`. */
  mostRecent: number | undefined;
  missed: MissedSchedules;
  /** A schedule that is valid syntax but never or always happens (31 February). */
  error?: string;
}

export interface ScheduleFacts {
  creationTimestamp: number;
  lastScheduleTime: number | undefined;
  startingDeadlineSeconds: number | undefined;
}

/** Kubernetes pads every requeue by 100 ms against clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
const MANY_MISSED = 100;

export function mostRecentScheduleTime(c: ScheduleFacts, now: number, schedule: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = c.lastScheduleTime ?? c.creationTimestamp;
  if (includeStartingDeadline && c.startingDeadlineSeconds !== undefined) {
    const deadline = now - c.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && now < t1) return { earliest, mostRecent: undefined, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (t1 === undefined || t2 === undefined || between < 1) {
    return { earliest, mostRecent: undefined, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  }
  // A rough count, as Kubernetes makes it: how many intervals of the first two fit until now.
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: MissedSchedules = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** How long until the next scheduled time after the last one handled (or now, once some were missed). */
export function nextScheduleDelay(c: ScheduleFacts, now: number, schedule: Schedule): number | undefined {
  const r = mostRecentScheduleTime(c, now, schedule, false);
  let from: number;
  if (r.error !== undefined) from = now;
  else if (r.mostRecent !== undefined) from = r.mostRecent;
  else from = r.missed === 'none' ? r.earliest : now;
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}
