import { describe, expect, it } from 'vitest';
import { isKnownTimeZone, parseSchedule } from '../../src/cronjob/schedule.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

function nextRuns(spec: string, zone: string | undefined, from: string, n: number): (string | undefined)[] {
  const p = parseSchedule(spec, zone);
  if (!p.ok) throw new Error(p.message);
  const out: (string | undefined)[] = [];
  let t: number | undefined = Date.parse(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = p.schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

// Expected times follow robfig/cron v3 (what kube-controller-manager schedules with):
// its spec_test.go DST table, and its dayMatches rule (AND when either day field is
// `*`/`?`, OR when both are restricted, a stepped `*/n` counting as restricted).
describe('next run times match robfig/cron', () => {
  const cases: [name: string, spec: string, zone: string | undefined, from: string, want: string[]][] = [
    ['every minute', '* * * * *', 'UTC', '2026-01-01T00:00:30.500Z', ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z']],
    ['exactly on a run time, the next one', '*/15 * * * *', 'UTC', '2026-01-01T00:15:00.000Z', ['2026-01-01T00:30:00.000Z']],
    ['leap day', '0 0 29 2 *', 'UTC', '2012-07-09T23:35:00Z', ['2016-02-29T00:00:00.000Z', '2020-02-29T00:00:00.000Z']],
    ['31st skips short months', '0 0 31 * *', 'UTC', '2026-04-01T00:00:00Z', ['2026-05-31T00:00:00.000Z', '2026-07-31T00:00:00.000Z']],
    ['month end of February', '0 12 28-31 2 *', 'UTC', '2026-02-27T00:00:00Z', ['2026-02-28T12:00:00.000Z', '2027-02-28T12:00:00.000Z']],
    [
      'day-of-month and day-of-week both restricted: either matches',
      '0 0 13 * 5',
      'UTC',
      '2026-01-01T00:00:00Z',
      ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z', '2026-01-16T00:00:00.000Z'],
    ],
    ['day-of-month a star: day-of-week alone decides', '0 0 * * 1', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-05T00:00:00.000Z', '2026-01-12T00:00:00.000Z']],
    ['? is a star', '0 0 ? * MON', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-05T00:00:00.000Z']],
    ['a stepped */2 is restricted: odd days OR Mondays', '0 0 */2 * 1', 'UTC', '2026-01-10T12:00:00Z', ['2026-01-11T00:00:00.000Z', '2026-01-12T00:00:00.000Z', '2026-01-13T00:00:00.000Z']],
    ['*/1 keeps the star', '0 0 */1 * 1', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-05T00:00:00.000Z']],
    ['an explicit full range is restricted: every day', '0 0 1-31 * 1', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00.000Z']],
    ['names, any case', '0 9 * jan-Mar MON-fri', 'UTC', '2026-03-31T10:00:00Z', ['2027-01-01T09:00:00.000Z']],
    ['N/step means N-max/step', '50/5 * * * *', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-01T00:50:00.000Z', '2026-01-01T00:55:00.000Z', '2026-01-01T01:50:00.000Z']],
    ['complex schedule of TestMostRecentScheduleTime', '30 6-16/4 * * 1-5', 'UTC', '2016-05-20T16:31:00Z', ['2016-05-23T06:30:00.000Z']],
    ['@yearly', '@yearly', 'UTC', '2026-06-01T00:00:00Z', ['2027-01-01T00:00:00.000Z']],
    ['@monthly', '@monthly', 'UTC', '2026-06-15T00:00:00Z', ['2026-07-01T00:00:00.000Z']],
    ['@weekly (Sunday)', '@weekly', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00.000Z']],
    ['@daily', '@daily', 'UTC', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00.000Z']],
    ['@hourly', '@hourly', 'UTC', '2026-01-01T00:30:00Z', ['2026-01-01T01:00:00.000Z']],
    ['@every drops the sub-second part', '@every 1h30m', undefined, '2026-01-01T00:00:10.750Z', ['2026-01-01T01:30:10.000Z', '2026-01-01T03:00:10.000Z']],
    ['@every below a second is a second', '@every 10ms', undefined, '2026-01-01T00:00:00Z', ['2026-01-01T00:00:01.000Z']],
    // robfig spec_test.go: "Daylight savings time 2am EST (-5) -> 3am EDT (-4)".
    ['DST gap: a wall time that does not happen is skipped', '30 2 11 3 *', 'America/New_York', '2012-03-11T00:00:00-05:00', ['2013-03-11T06:30:00.000Z']],
    ['DST gap: hourly goes from 1:00 EST to 3:00 EDT', '0 * * * *', 'America/New_York', '2012-03-11T00:00:00-05:00', ['2012-03-11T06:00:00.000Z', '2012-03-11T07:00:00.000Z']],
    ['DST gap: 1am nightly', '0 1 * * *', 'America/New_York', '2012-03-11T01:00:00-05:00', ['2012-03-12T05:00:00.000Z']],
    ['DST gap: 2am nightly is skipped that night', '0 2 * * *', 'America/New_York', '2012-03-11T00:00:00-05:00', ['2012-03-12T06:00:00.000Z']],
    // "Daylight savings time 2am EDT (-4) => 1am EST (-5)".
    ['DST overlap: 2:30 happens once, in EST', '30 2 4 11 *', 'America/New_York', '2012-11-04T00:00:00-04:00', ['2012-11-04T07:30:00.000Z']],
    ['DST overlap: 1:30 runs again in EST', '30 1 4 11 *', 'America/New_York', '2012-11-04T01:45:00-04:00', ['2012-11-04T06:30:00.000Z']],
    [
      'DST overlap: hourly runs at both 1:00s',
      '0 * * * *',
      'America/New_York',
      '2012-11-04T00:00:00-04:00',
      ['2012-11-04T05:00:00.000Z', '2012-11-04T06:00:00.000Z', '2012-11-04T07:00:00.000Z'],
    ],
    ['DST overlap: 1am nightly runs twice', '0 1 * * *', 'America/New_York', '2012-11-04T00:00:00-04:00', ['2012-11-04T05:00:00.000Z', '2012-11-04T06:00:00.000Z', '2012-11-05T06:00:00.000Z']],
    ['DST overlap: 2am nightly', '0 2 * * *', 'America/New_York', '2012-11-04T00:00:00-04:00', ['2012-11-04T07:00:00.000Z', '2012-11-05T07:00:00.000Z']],
    ['DST overlap: 3am nightly', '0 3 * * *', 'America/New_York', '2012-11-04T00:00:00-04:00', ['2012-11-04T08:00:00.000Z', '2012-11-05T08:00:00.000Z']],
    ['Europe/Berlin gap: 2:30 skipped on the last Sunday of March', '30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', ['2026-03-30T00:30:00.000Z']],
    [
      'Europe/Berlin overlap: 2:30 CEST and 2:30 CET',
      '30 2 * * *',
      'Europe/Berlin',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    ['a time zone moves the wall clock', '0 9 * * *', 'Asia/Tokyo', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00.000Z']],
  ];
  it.each(cases)('%s: %s', (_name, spec, zone, from, want) => {
    expect(nextRuns(spec, zone, from, want.length)).toEqual(want);
  });

  it('a schedule that never happens has no next run', () => {
    const p = parseSchedule('59 23 31 2 *', 'UTC');
    expect(p.ok).toBe(true);
    if (p.ok) expect(p.schedule.next(Date.parse('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('schedules the API server refuses, with its messages', () => {
  const cases: [spec: string, message: string][] = [
    ['', 'empty spec string'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 * * * * *', 'expected exactly 5 fields, found 6: [0 * * * * *]'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 * * 1#2', 'failed to parse int from 1#2: strconv.Atoi: parsing "1#2": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 1x', 'failed to parse duration @every 1x: time: unknown unit "x" in duration "1x"'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ['@every', 'unrecognized descriptor: @every'],
  ];
  it.each(cases)('%j', (spec, message) => {
    expect(parseSchedule(spec, 'UTC')).toEqual({ ok: false, message });
  });
});

describe('time zones', () => {
  it('knows IANA names and refuses unknown ones and Local', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Etc/UTC')).toBe(true);
    expect(isKnownTimeZone('Europe/Pariss')).toBe(false);
    expect(isKnownTimeZone('Local')).toBe(false);
  });
});
