// CronJob edits asked for through the CLI: `patch cronjob` (a merge patch of
// the CronJob's spec and metadata, validated as on create), `delete cronjob`
// and `create job NAME --from=cronjob/X`. One transaction each; the caller
// enqueues what changed.
import { randomUUID } from 'node:crypto';
import { INSTANTIATE_ANNOTATION, type CronJob, type CronJobSpec } from '../api/cronjob.js';
import type { Job } from '../api/types.js';
import { jobFromTemplate } from './job-from-template.js';
import { GitjobsError, type FieldCause } from '../errors.js';
import { validateCronJobSpec } from '../manifest/cronjob.js';
import type { ManifestIssue } from '../manifest/issues.js';
import { Locator } from '../manifest/locator.js';
import { canonicalJson, invalid } from '../manifest/messages.js';
import { Reporter } from '../manifest/reporter.js';
import { getCronJobByName, markCronJobDeleted, updateCronJob } from '../store/cronjobs.js';
import type { Db } from '../store/db.js';
import { getJobByName } from '../store/jobs.js';
import { insertNewJob, type Cascade } from './manual.js';

const SPEC_FIELDS: readonly (keyof CronJobSpec)[] = [
  'schedule',
  'timeZone',
  'startingDeadlineSeconds',
  'concurrencyPolicy',
  'suspend',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
];

const DEFAULTS: Partial<CronJobSpec> = { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 };

function notFound(name: string): GitjobsError {
  return new GitjobsError('NotFound', `Error from server (NotFound): cronjobs.batch "${name}" not found`);
}

function invalidCronJob(name: string, errors: FieldCause[]): GitjobsError {
  const texts = errors.map((e) => `${e.field}: ${e.message}`);
  return new GitjobsError('Invalid', `The CronJob "${name}" is invalid: ${texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`}`, { causes: errors });
}

export function patchCronJob(db: Db, namespace: string, name: string, patch: unknown): { cronJob: CronJob; changed: boolean } {
  return db.transaction(() => {
    const cj = getCronJobByName(db, namespace, name);
    if (cj === undefined) throw notFound(name);
    if (!isObject(patch)) throw new GitjobsError('Invalid', 'error: unable to parse the patch: a JSON object is required');
    const errors: FieldCause[] = [];
    const spec: CronJobSpec = { ...cj.spec };
    const next: CronJob = { ...cj, labels: { ...cj.labels }, annotations: { ...cj.annotations } };
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'spec' && isObject(value)) {
        for (const [f, v] of Object.entries(value)) {
          if (!(SPEC_FIELDS as readonly string[]).includes(f)) {
            errors.push({ field: `spec.${f}`, message: invalid(v, 'cannot be patched here; change the CronJob\'s manifest') });
            continue;
          }
          const field = f as keyof CronJobSpec;
          const nv = v === null ? DEFAULTS[field] : v;
          if (nv === undefined) delete spec[field];
          else (spec as unknown as Record<string, unknown>)[field] = nv;
        }
      } else if (key === 'metadata' && isObject(value)) {
        for (const [m, v] of Object.entries(value)) {
          if ((m === 'labels' || m === 'annotations') && (v === null || isObject(v))) {
            const merged = { ...next[m] };
            for (const [k, s] of Object.entries(v ?? {})) {
              if (s === null) delete merged[k];
              else if (typeof s === 'string') merged[k] = s;
              else errors.push({ field: `metadata.${m}[${k}]`, message: invalid(s, 'must be a string') });
            }
            next[m] = merged;
          } else if (!((m === 'name' && v === cj.name) || (m === 'namespace' && v === cj.namespace))) {
            errors.push({ field: `metadata.${m}`, message: invalid(v, 'field is immutable') });
          }
        }
      } else if (key === 'status' || (key === 'apiVersion' && value === 'batch/v1') || (key === 'kind' && value === 'CronJob')) {
        continue;
      } else {
        errors.push({ field: key, message: invalid(value, 'field is immutable') });
      }
    }
    errors.push(...specErrors(cj.name, spec));
    if (errors.length > 0) throw invalidCronJob(cj.name, errors);
    const specChanged = canonicalJson(spec) !== canonicalJson(cj.spec);
    const changed = specChanged || canonicalJson(next.labels) !== canonicalJson(cj.labels) || canonicalJson(next.annotations) !== canonicalJson(cj.annotations);
    if (!changed) return { cronJob: cj, changed: false };
    next.spec = spec;
    if (specChanged) next.generation = cj.generation + 1;
    updateCronJob(db, next);
    return { cronJob: next, changed: true };
  })();
}

/** The create-time validation, on the patched spec (one place for each rule). */
function specErrors(name: string, spec: CronJobSpec): FieldCause[] {
  const issues: ManifestIssue[] = [];
  const r = new Reporter('', 0, new Locator({ line: 1, column: 1 }), issues);
  const typed = checkTypes(spec);
  if (typed.length > 0) return typed;
  validateCronJobSpec(name, spec, {}, r);
  return issues.filter((i) => i.severity === 'error').map((i) => ({ field: i.field, message: i.message }));
}

function checkTypes(spec: CronJobSpec): FieldCause[] {
  const out: FieldCause[] = [];
  const want: Record<string, string> = {
    schedule: 'string',
    timeZone: 'string',
    concurrencyPolicy: 'string',
    suspend: 'boolean',
    startingDeadlineSeconds: 'number',
    successfulJobsHistoryLimit: 'number',
    failedJobsHistoryLimit: 'number',
  };
  for (const [f, t] of Object.entries(want)) {
    const v = (spec as unknown as Record<string, unknown>)[f];
    if (v !== undefined && (typeof v !== t || (t === 'number' && !Number.isInteger(v)))) out.push({ field: `spec.${f}`, message: invalid(v, `must be ${t === 'number' ? 'an integer' : `a ${t}`}`) });
  }
  return out;
}

/** `kubectl delete cronjob`: the controller finishes it, with its Jobs unless orphaned. */
export function deleteCronJob(db: Db, cj: CronJob, cascade: Cascade, now: number): void {
  markCronJobDeleted(db, cj.uid, now, cascade);
}

/** `kubectl create job NAME --from=cronjob/X`: the template, run now, owned by the CronJob. */
export function instantiateCronJob(db: Db, namespace: string, cronJobName: string, jobName: string, now: number): Job {
  return db.transaction(() => {
    const cj = getCronJobByName(db, namespace, cronJobName);
    if (cj === undefined) throw notFound(cronJobName);
    if (getJobByName(db, namespace, jobName) !== undefined) {
      throw new GitjobsError('AlreadyExists', `error: failed to create job: jobs.batch "${jobName}" already exists`);
    }
    const parsed = jobFromTemplate(cj, jobName, { [INSTANTIATE_ANNOTATION]: 'manual' });
    return insertNewJob(db, parsed, { uid: randomUUID(), annotations: parsed.annotations, origin: { ...cj.origin }, owner: { kind: 'CronJob', name: cj.name, uid: cj.uid }, trigger: 'manual' }, now);
  })();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
