// CronJob schedules with Kubernetes' meaning: the syntax and error messages of
// robfig/cron's ParseStandard (what the API server validates with), and its
// next-run semantics, evaluated by croner. This is the one module that knows
// croner; everything else asks `Schedule.next`.
//
// robfig evaluates wall-clock fields in the zone: a wall time inside a DST gap
// never happens (skipped), one inside an overlap happens twice (both run).
// croner does the same for what it calls interval jobs, and shifts or dedupes
// "fixed-time" jobs (single second/minute/hour values). A stepped wildcard in
// croner's seconds field (`*/60`, which still matches only second 0) makes every
// job an interval job, so croner's answers are robfig's; the table tests prove it.
import { Cron } from 'croner';
import { parseGoDuration } from './go-duration.js';

export interface Schedule {
  /** The first run strictly after `after` (epoch ms), or undefined if there is none within croner's horizon. */
  next(after: number): number | undefined;
  /** True for `@every`: a constant delay rather than calendar fields. */
  readonly constantDelayMs?: number;
}

export type ParsedSchedule = { ok: true; schedule: Schedule } | { ok: false; message: string };

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed field: the values it allows, and whether it was `*`/`?` (robfig's star bit). */
interface Field {
  values: Set<number>;
  star: boolean;
}

class FieldError extends Error {}

/**
 * `cron.ParseStandard(schedule)` in the zone `timeZone` (undefined: this
 * host's local zone, as kube-controller-manager uses its own). Messages are
 * robfig's, word for word.
 */
export function parseSchedule(spec: string, timeZone?: string): ParsedSchedule {
  if (spec.length === 0) return { ok: false, message: 'empty spec string' };
  let text = spec;
  let zone = timeZone;
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const i = text.indexOf(' ');
    const name = text.slice(text.indexOf('=') + 1, i < 0 ? undefined : i);
    if (!isKnownTimeZone(name)) return { ok: false, message: `provided bad location ${name}: unknown time zone ${name}` };
    zone = name;
    text = i < 0 ? '' : text.slice(i).trim();
  }
  if (text.startsWith('@')) return parseDescriptor(text, zone);
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return { ok: false, message: `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]` };
  try {
    const [minute, hour, dom, month, dow] = [
      getField(fields[0]!, MINUTES),
      getField(fields[1]!, HOURS),
      getField(fields[2]!, DOM),
      getField(fields[3]!, MONTHS),
      getField(fields[4]!, DOW),
    ];
    return { ok: true, schedule: cronerSchedule([minute, hour, dom, month, dow], zone) };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, message: err.message };
    throw err;
  }
}

/** Whether this host knows the IANA zone (Go's time.LoadLocation on the tz database). */
export function isKnownTimeZone(name: string): boolean {
  if (name === '' || name.toLowerCase() === 'local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function parseDescriptor(text: string, zone: string | undefined): ParsedSchedule {
  const fixed = DESCRIPTORS[text];
  if (fixed !== undefined) return parseSchedule(fixed, zone);
  const every = '@every ';
  if (text.startsWith(every)) {
    const d = parseGoDuration(text.slice(every.length));
    if (!d.ok) return { ok: false, message: `failed to parse duration ${text}: ${d.message}` };
    // cron.Every: at least a second, truncated to whole seconds.
    const delayMs = Math.max(1000, d.ns >= 1e9 ? Math.floor(d.ns / 1e9) * 1000 : 1000);
    const schedule: Schedule = {
      constantDelayMs: delayMs,
      // ConstantDelaySchedule.Next: t + delay, with t's sub-second part dropped.
      next: (after) => after - (((after % 1000) + 1000) % 1000) + delayMs,
    };
    return { ok: true, schedule };
  }
  return { ok: false, message: `unrecognized descriptor: ${text}` };
}

function getField(field: string, b: Bounds): Field {
  const out: Field = { values: new Set(), star: false };
  for (const expr of field.split(',').filter((e) => e !== '')) {
    const r = getRange(expr, b);
    for (const v of r.values) out.values.add(v);
    if (r.star) out.star = true;
  }
  return out;
}

function getRange(expr: string, b: Bounds): Field {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b.names);
    else throw new FieldError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new FieldError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new FieldError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new FieldError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new FieldError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new FieldError(`step of range should be a positive number: ${expr}`);
  const values = new Set<number>();
  for (let v = start; v <= end; v += step) values.add(v);
  return { values, star };
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

/** strconv.Atoi, then robfig's negative check. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new FieldError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${goQuote(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63 - 1) {
    throw new FieldError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${goQuote(expr)}: value out of range`);
  }
  if (n < 0) throw new FieldError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/**
 * Fields rewritten as explicit lists for croner: `*` only where robfig set its
 * star bit, since that bit decides whether day-of-month and day-of-week combine
 * with AND (either is a star) or OR (both restricted), and croner decides the
 * same way on `*`.
 */
function cronerSchedule(fields: Field[], zone: string | undefined): Schedule {
  const text = fields.map((f) => (f.star ? '*' : [...f.values].sort((a, b) => a - b).join(','))).join(' ');
  const cron = new Cron(`*/60 ${text}`, { paused: true, mode: '6-part', ...(zone === undefined ? {} : { timezone: zone }) });
  return {
    next: (after) => cron.nextRun(new Date(after))?.getTime(),
  };
}
