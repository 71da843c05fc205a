// A `batch/v1` CronJob document: checked against the field table, defaulted
// and validated as the API server does on create. Its jobTemplate goes through
// the Job's own validation, reported under `spec.jobTemplate`.
import { CONCURRENCY_POLICIES, MAX_CRONJOB_NAME, type CronJobSpec } from '../api/cronjob.js';
import { DEFAULT_NAMESPACE, type Labels } from '../api/types.js';
import { isKnownTimeZone, parseSchedule } from '../cronjob/schedule.js';
import { defaultJobSpec } from './defaults.js';
import { cronJobSchema } from './fields.js';
import type { Locator } from './locator.js';
import { invalid, nonNegative, notSupported, required } from './messages.js';
import { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';
import { checkObject } from './structure.js';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectName } from './validate-meta.js';
import { validateJobSpec } from './validate-spec.js';

export interface ParsedCronJob {
  file: string;
  document: number;
  line: number;
  column: number;
  namespace: string;
  name: string;
  labels: Labels;
  annotations: Labels;
  spec: CronJobSpec;
  /** The document as written. */
  manifest: unknown;
}

type Raw = Record<string, unknown>;

const spec = (...names: string[]): FieldPath => FieldPath.of('spec', ...names);
const TEMPLATE = spec('jobTemplate');
/** Go's time zone name rule the API server applies before loading the zone. */
const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function readCronJob(value: Raw, r: Reporter, file: string, document: number, locator: Locator): ParsedCronJob | undefined {
  const checked = checkObject(value, cronJobSchema, FieldPath.root, r) ?? {};
  const meta = (checked.metadata ?? {}) as { name?: string; namespace?: string; labels?: Labels; annotations?: Labels };
  const name = meta.name ?? '';
  const namespace = meta.namespace ?? DEFAULT_NAMESPACE;
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  validateObjectMeta({ name: meta.name, namespace, labels, annotations }, validateCronJobName, r);
  const rawSpec = (checked.spec ?? {}) as Raw;
  const cronSpec = defaultCronJobSpec(rawSpec);
  if (!r.isSettled(FieldPath.of('spec'))) validateCronJobSpec(name, cronSpec, rawSpec, r);
  if (r.hasErrors) return undefined;
  return {
    file,
    document,
    line: locator.start.line,
    column: locator.start.column,
    namespace,
    name,
    labels,
    annotations,
    spec: cronSpec,
    manifest: value,
  };
}

/** `SetDefaults_CronJob`, and the Job defaults for the template. */
export function defaultCronJobSpec(s: Raw): CronJobSpec {
  const template = (s.jobTemplate ?? {}) as Raw;
  const tmeta = (template.metadata ?? {}) as { labels?: Labels; annotations?: Labels };
  const out: CronJobSpec = {
    schedule: (s.schedule as string | undefined) ?? '',
    concurrencyPolicy: ((s.concurrencyPolicy as string | undefined) ?? 'Allow') as CronJobSpec['concurrencyPolicy'],
    suspend: (s.suspend as boolean | undefined) ?? false,
    successfulJobsHistoryLimit: (s.successfulJobsHistoryLimit as number | undefined) ?? 3,
    failedJobsHistoryLimit: (s.failedJobsHistoryLimit as number | undefined) ?? 1,
    jobTemplate: { labels: { ...(tmeta.labels ?? {}) }, annotations: { ...(tmeta.annotations ?? {}) }, spec: defaultJobSpec(template.spec) },
  };
  if (s.timeZone !== undefined) out.timeZone = s.timeZone as string;
  if (s.startingDeadlineSeconds !== undefined) out.startingDeadlineSeconds = s.startingDeadlineSeconds as number;
  return out;
}

function validateCronJobName(name: string | undefined, r: Reporter): void {
  if (validateObjectName(name, r) && name.length > MAX_CRONJOB_NAME) {
    r.error('FieldInvalid', FieldPath.of('metadata', 'name'), invalid(name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  }
}

/** `validateCronJobSpec` of the API server, on a defaulted spec. */
export function validateCronJobSpec(name: string, s: CronJobSpec, raw: Raw, r: Reporter): void {
  validateScheduleField(s, r);
  if (s.startingDeadlineSeconds !== undefined && s.startingDeadlineSeconds < 0) {
    r.error('FieldInvalid', spec('startingDeadlineSeconds'), nonNegative(s.startingDeadlineSeconds));
  }
  validateTimeZone(s.timeZone, r);
  const policy: string = s.concurrencyPolicy;
  if (policy === '') r.error('FieldRequired', spec('concurrencyPolicy'), required());
  else if (!(CONCURRENCY_POLICIES as readonly string[]).includes(policy)) r.error('FieldInvalid', spec('concurrencyPolicy'), notSupported(policy, CONCURRENCY_POLICIES));
  for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) {
    if (s[f] < 0) r.error('FieldInvalid', spec(f), nonNegative(s[f]));
  }
  validateJobTemplate(name, s, raw, r);
}

function validateScheduleField(s: CronJobSpec, r: Reporter): void {
  const path = spec('schedule');
  if (s.schedule === '') {
    r.error('FieldRequired', path, required());
    return;
  }
  const parsed = parseSchedule(s.schedule, 'UTC');
  if (!parsed.ok) r.error('FieldInvalid', path, invalid(s.schedule, parsed.message));
  if (s.schedule.includes('TZ')) r.error('FieldInvalid', path, invalid(s.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
}

function validateTimeZone(tz: string | undefined, r: Reporter): void {
  if (tz === undefined) return;
  const path = spec('timeZone');
  if (tz === '') {
    r.error('FieldInvalid', path, invalid(tz, 'timeZone must be nil or non-empty string'));
    return;
  }
  if (tz.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !TZ_PART.test(p))) {
    r.error('FieldInvalid', path, invalid(tz, `unknown time zone ${tz}`));
    return;
  }
  if (tz.toLowerCase() === 'local') {
    r.error('FieldInvalid', path, invalid(tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
    return;
  }
  if (!isKnownTimeZone(tz)) r.error('FieldInvalid', path, invalid(tz, `unknown time zone ${tz}`));
}

function validateJobTemplate(name: string, s: CronJobSpec, raw: Raw, r: Reporter): void {
  const rawTemplate = (raw.jobTemplate ?? {}) as Raw;
  const rawJobSpec = (rawTemplate.spec ?? {}) as Raw;
  const jobSpec = s.jobTemplate.spec;
  // Reported in the template's own words, before the Job rule for the same fields.
  if (rawJobSpec.selector !== undefined) {
    r.error('FieldInvalid', TEMPLATE.child('spec').child('selector'), invalid(rawJobSpec.selector, '`selector` will be auto-generated'));
    r.settle(TEMPLATE.child('spec').child('selector'));
  }
  if (jobSpec.manualSelector) {
    r.error('FieldInvalid', TEMPLATE.child('spec').child('manualSelector'), notSupported(true, ['nil', 'false']));
    r.settle(TEMPLATE.child('spec').child('manualSelector'));
    return;
  }
  const scoped = r.scoped(TEMPLATE);
  validateLabels(s.jobTemplate.labels, TEMPLATE.child('metadata').child('labels'), r);
  validateAnnotations(s.jobTemplate.annotations, TEMPLATE.child('metadata').child('annotations'), r);
  // The Jobs are named `<cronjob>-<unix minutes>`: validated with a name of that length.
  validateJobSpec(name === '' ? '' : `${name}-${'0'.repeat(8)}`, jobSpec, scoped);
}
