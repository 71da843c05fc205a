import { describe, expect, it } from 'vitest';
import { rfc3339InZone } from '../../src/sync/job-from-template.js';

describe('the scheduled-timestamp annotation', () => {
  it.each([
    [Date.parse('2026-12-07T02:20:00Z'), undefined, '2026-12-07T02:20:00Z'],
    [Date.parse('2026-12-07T02:20:00Z'), 'UTC', '2026-12-07T02:20:00Z'],
    [Date.parse('2026-12-07T02:20:00Z'), 'Europe/Berlin', '2026-12-07T03:20:00+01:00'],
    [Date.parse('2026-07-07T02:20:00Z'), 'Europe/Berlin', '2026-07-07T04:20:00+02:00'],
    [Date.parse('2026-07-07T02:20:00Z'), 'America/St_Johns', '2026-07-06T23:50:00-02:30'],
  ])('%s in %s is %s', (ms, zone, want) => {
    expect(rfc3339InZone(ms, zone)).toBe(want);
  });
});
