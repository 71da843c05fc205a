import { describe, expect, it } from 'vitest';
import { mostRecentScheduleTime, nextScheduleDelay, NEXT_SCHEDULE_DELTA_MS, type MissedSchedules } from '../../src/cronjob/missed.js';
import { parseSchedule } from '../../src/cronjob/schedule.js';

// Ported from Kubernetes' pkg/controller/cronjob/utils_test.go (TestMostRecentScheduleTime,
// TestNextScheduleTimeDuration), with their times and expected outcomes.
const TOP = Date.parse('2016-05-19T10:00:00Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const after = (ms: number): number => TOP + ms;

function schedule(spec: string) {
  const p = parseSchedule(spec, 'UTC');
  if (!p.ok) throw new Error(p.message);
  return p.schedule;
}

interface Case {
  schedule: string;
  created: number;
  last?: number;
  deadline?: number;
  includeSDS?: boolean;
  now: number;
  earliest?: number;
  recent: number | undefined;
  missed?: MissedSchedules;
  wantErr?: boolean;
}

const cases: Record<string, Case> = {
  'now before next schedule': { schedule: '0 * * * *', created: TOP, now: after(30 * S), recent: undefined, earliest: TOP },
  'now just after next schedule': { schedule: '0 * * * *', created: TOP, now: after(61 * M), recent: after(60 * M), earliest: TOP },
  'missed 5 schedules': { schedule: '0 * * * *', created: after(10 * S), now: after(301 * M), recent: after(300 * M), earliest: after(10 * S), missed: 'few' },
  'complex schedule': { schedule: '30 6-16/4 * * 1-5', created: TOP, last: after(30 * M), now: after(24 * H + 31 * M), recent: after(24 * H + 30 * M), earliest: after(30 * M), missed: 'few' },
  'another complex schedule': { schedule: '30 10,11,12 * * 1-5', created: TOP, last: after(30 * M), now: after(30 * H + 30 * M), recent: undefined, earliest: after(30 * M), missed: 'few' },
  'complex schedule with longer diff between executions': {
    schedule: '30 6-16/4 * * 1-5',
    created: TOP,
    last: after(30 * M),
    now: after(96 * H + 31 * M),
    recent: after(96 * H + 30 * M),
    earliest: after(30 * M),
    missed: 'few',
  },
  'complex schedule with shorter diff between executions': { schedule: '30 6-16/4 * * 1-5', created: TOP, now: after(24 * H + 31 * M), recent: after(24 * H + 30 * M), earliest: TOP, missed: 'few' },
  '@every schedule': {
    schedule: '@every 1h',
    created: after(-59 * M),
    last: after(1 * M),
    deadline: 10,
    now: after(7 * 24 * H),
    recent: after(6 * 24 * H + 23 * H + 1 * M),
    earliest: after(1 * M),
    missed: 'many',
  },
  'rogue cronjob': { schedule: '59 23 31 2 *', created: after(10 * S), now: after(1 * H), recent: undefined, wantErr: true },
  'earliestTime being CreationTimestamp and LastScheduleTime': { schedule: '0 * * * *', created: TOP, last: TOP, now: after(30 * S), earliest: TOP, recent: undefined },
  'earliestTime being LastScheduleTime': { schedule: '*/5 * * * *', created: TOP, last: after(30 * M), now: after(31 * M), earliest: after(30 * M), recent: undefined },
  'earliestTime being LastScheduleTime (within StartingDeadlineSeconds)': {
    schedule: '*/5 * * * *',
    created: TOP,
    last: after(30 * M),
    deadline: 60,
    now: after(31 * M),
    earliest: after(30 * M),
    recent: undefined,
  },
  'earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)': {
    schedule: '*/5 * * * *',
    created: TOP,
    last: after(30 * M),
    deadline: 60,
    includeSDS: true,
    now: after(32 * M),
    earliest: after(31 * M),
    recent: undefined,
  },
};

describe('mostRecentScheduleTime (TestMostRecentScheduleTime)', () => {
  it.each(Object.entries(cases))('%s', (_name, c) => {
    const got = mostRecentScheduleTime(
      { creationTimestamp: c.created, lastScheduleTime: c.last, startingDeadlineSeconds: c.deadline },
      c.now,
      schedule(c.schedule),
      c.includeSDS ?? false,
    );
    if (c.wantErr) {
      expect(got.error).toBeDefined();
      return;
    }
    expect(got.error).toBeUndefined();
    expect(got.earliest).toBe(c.earliest);
    expect(got.mostRecent).toBe(c.recent);
    expect(got.missed).toBe(c.missed ?? 'none');
  });
});

describe('nextScheduleDelay (TestNextScheduleTimeDuration)', () => {
  const durations: Record<string, { schedule: string; last?: number; now: number; want: number }> = {
    'complex schedule skipping weekend': { schedule: '30 6-16/4 * * 1-5', last: after(30 * M), now: after(24 * H + 31 * M), want: 3 * H + 59 * M },
    'another complex schedule skipping weekend': { schedule: '30 10,11,12 * * 1-5', last: after(30 * M), now: after(30 * H + 30 * M), want: 66 * H },
    'once a week cronjob, missed two runs': { schedule: '0 12 * * 4', last: after(2 * H), now: after(19 * 24 * H + 1 * H + 30 * M), want: 48 * H + 30 * M },
    'no previous run of a cronjob': { schedule: '0 12 * * 5', now: after(6 * H), want: 20 * H },
  };
  it.each(Object.entries(durations))('%s', (_name, c) => {
    const got = nextScheduleDelay({ creationTimestamp: TOP, lastScheduleTime: c.last, startingDeadlineSeconds: undefined }, c.now, schedule(c.schedule));
    expect(got).toBe(c.want + NEXT_SCHEDULE_DELTA_MS);
  });
});
