import { randomUUID } from 'node:crypto';
import type { Job, JobSpec, Labels } from '../api/types.js';
import { GitjobsError } from '../errors.js';
import { materializeJob, MUTABLE_SPEC_FIELDS, RUN_ANNOTATION, specHash, type ParsedJob } from '../manifest/index.js';
import { defaultMutableField } from '../manifest/defaults.js';
import type { ManifestIssue } from '../manifest/issues.js';
import { Locator } from '../manifest/locator.js';
import { canonicalJson, invalid, nonNegative, notSupported } from '../manifest/messages.js';
import { Reporter } from '../manifest/reporter.js';
import { validateJobSpecEdit } from '../manifest/validate-spec.js';
import type { Db } from '../store/db.js';
import { getJobByName, insertJob, markJobDeleted, removeJob, updateJob } from '../store/jobs.js';
import { listPodsForJob, releasePods, removeFinalizer } from '../store/pods.js';
import { insertRun, markRunDeleted, type RunTrigger } from '../store/runs.js';
import { isElasticResize } from '../manifest/hash.js';
import { changedSpecFields } from './diff.js';

// Desired-state edits asked for through the CLI (apply, create, patch, scale,
// suspend, resume, delete). The source sync writes the Jobs of a watched
// folder or repository; this module writes everything else, with the API
// server's rules for what may change on a live Job.

/** The origin source of Jobs created by `gitjobs apply` / `create`. */
export const APPLY_SOURCE = 'kubectl';
/** `runs.deleted_by` for a Job deleted by `gitjobs delete`: the source must not bring that spec back. */
export const DELETED_BY_USER = 'kubectl';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export type ApplyMode = 'apply' | 'create';
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  job: Job;
  outcome: ApplyOutcome;
}

type MutableField = (typeof MUTABLE_SPEC_FIELDS)[number] | 'completions';

/** Kubernetes' words when an Indexed Job's completions change without parallelism. */
const TANDEM = 'can only be modified in tandem with spec.parallelism';

/**
 * `kubectl apply` / `kubectl create` of one parsed Job. Creates an ad-hoc Job,
 * or (apply only) changes the mutable fields and metadata of one created the
 * same way. One transaction; the caller enqueues the Job.
 */
export function applyJob(db: Db, parsed: ParsedJob, mode: ApplyMode, now: number): ApplyResult {
  return db.transaction((): ApplyResult => {
    const existing = getJobByName(db, parsed.namespace, parsed.name);
    if (existing === undefined) return { job: createJob(db, parsed, mode, now), outcome: 'created' };
    const ref = `jobs.batch "${parsed.name}"`;
    if (mode === 'create') throw new GitjobsError('AlreadyExists', `Error from server (AlreadyExists): ${ref} already exists`);
    if (existing.deletionTimestamp !== undefined) {
      throw new GitjobsError('AlreadyExists', `Error from server (AlreadyExists): object is being deleted: ${ref} already exists`);
    }
    if (existing.origin.kind !== 'apply') throw managedBySource(existing);
    return configureJob(db, existing, keepUnwrittenCompletions(existing, parsed), now);
  })();
}

function createJob(db: Db, parsed: ParsedJob, mode: ApplyMode, now: number): Job {
  return insertNewJob(
    db,
    parsed,
    {
      uid: randomUUID(),
      annotations: mode === 'apply' ? withLastApplied(parsed) : { ...parsed.annotations },
      origin: { kind: 'apply', source: APPLY_SOURCE, path: parsed.file, line: parsed.line },
      trigger: 'apply',
    },
    now,
  );
}

export interface NewJobOptions {
  uid: string;
  annotations: Labels;
  origin: Job['origin'];
  trigger: RunTrigger;
  /** The CronJob the Job is made from. */
  owner?: Job['owner'];
}

/**
 * Creates a Job as the API server does on create (generated selector and
 * labels), with its run record: the one path by which a Job is made outside
 * the source sync, for `apply`/`create` and for a CronJob's Jobs alike.
 */
export function insertNewJob(db: Db, parsed: ParsedJob, o: NewJobOptions, now: number): Job {
  const { labels, spec } = materializeJob(parsed, o.uid);
  const job: Job = {
    uid: o.uid,
    namespace: parsed.namespace,
    name: parsed.name,
    labels,
    annotations: o.annotations,
    creationTimestamp: now,
    generation: 1,
    spec,
    specHash: parsed.specHash,
    origin: o.origin,
  };
  if (o.owner !== undefined) job.owner = o.owner;
  insertJob(db, job);
  insertRun(db, job, o.trigger);
  return job;
}

function configureJob(db: Db, job: Job, parsed: ParsedJob, now: number): ApplyResult {
  const { labels, spec: desired } = materializeJob(parsed, job.uid);
  if (job.specHash !== parsed.specHash) throw invalidJob(job.name, immutableChanges(job, parsed, desired));
  if (job.spec.completions !== desired.completions && !isElasticResize(desired)) {
    throw invalidJob(job.name, [`spec.completions: ${invalid(desired.completions ?? null, TANDEM)}`]);
  }
  const spec: JobSpec = { ...job.spec };
  let specChanged = false;
  for (const f of [...MUTABLE_SPEC_FIELDS, 'completions'] as const) {
    if (!sameValue(spec[f], desired[f])) {
      setField(spec, f, desired[f]);
      specChanged = true;
    }
  }
  const annotations = withLastApplied(parsed);
  const metaChanged = !sameValue(job.labels, labels) || !sameValue(job.annotations, annotations);
  if (!specChanged && !metaChanged) return { job, outcome: 'unchanged' };
  const next: Job = { ...job, labels, annotations, spec, generation: specChanged ? job.generation + 1 : job.generation };
  updateJob(db, next);
  return { job: next, outcome: 'configured' };
}

/**
 * Kubernetes defaults completions from parallelism only when neither is
 * written, and `kubectl apply` patches only what the manifests write: a
 * completions that neither this manifest nor the last applied one wrote keeps
 * its live value, so adding a parallelism is an edit, not a new Job.
 */
function keepUnwrittenCompletions(job: Job, parsed: ParsedJob): ParsedJob {
  if (writesCompletions(parsed.manifest) || writesCompletions(lastApplied(job))) return parsed;
  if (parsed.spec.completions === job.spec.completions) return parsed;
  const spec: JobSpec = { ...parsed.spec };
  if (job.spec.completions === undefined) delete spec.completions;
  else spec.completions = job.spec.completions;
  return { ...parsed, spec, specHash: specHash(spec, parsed.annotations) };
}

function writesCompletions(manifest: unknown): boolean {
  const spec = isObject(manifest) ? manifest.spec : undefined;
  return isObject(spec) && spec.completions !== undefined;
}

function lastApplied(job: Job): unknown {
  const text = job.annotations[LAST_APPLIED_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function immutableChanges(job: Job, parsed: ParsedJob, desired: JobSpec): string[] {
  const fields = changedSpecFields(job.spec, desired);
  const out = fields.map((f) => `${f}: ${invalid(specValue(desired, f.slice('spec.'.length)), 'field is immutable')}`);
  if (out.length === 0) {
    // Only the re-run annotation differs: that asks for a new Job, not an edit of this one.
    const value = parsed.annotations[RUN_ANNOTATION] ?? null;
    out.push(`metadata.annotations[${RUN_ANNOTATION}]: ${invalid(value, 'field is immutable')}`);
  }
  return out;
}

/** What `kubectl apply` records, so `describe` shows what was applied, as on a cluster. */
function withLastApplied(parsed: ParsedJob): Labels {
  const annotations = { ...parsed.annotations };
  const manifest = structuredClone(parsed.manifest) as Record<string, unknown>;
  const meta = { ...((manifest.metadata as Record<string, unknown> | undefined) ?? {}) };
  const own = { ...((meta.annotations as Record<string, unknown> | undefined) ?? {}) };
  delete own[LAST_APPLIED_ANNOTATION];
  meta.annotations = own;
  meta.namespace = parsed.namespace;
  manifest.metadata = meta;
  annotations[LAST_APPLIED_ANNOTATION] = canonicalJson(manifest) + '\n';
  return annotations;
}

function managedBySource(job: Job): GitjobsError {
  const where = job.origin.path === undefined ? '' : ` (${job.origin.path}${job.origin.line === undefined ? '' : `:${job.origin.line}`})`;
  return new GitjobsError(
    'Conflict',
    `Error from server (Conflict): jobs.batch "${job.name}" is managed by source ${job.origin.source}${where}; change the manifest there`,
  );
}

/** Each error is `field: message`, as written where it is found. */
function invalidJob(name: string, errors: string[]): GitjobsError {
  const body = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
  const causes = errors.map((e) => {
    const at = e.indexOf(': ');
    return at === -1 ? { field: '', message: e } : { field: e.slice(0, at), message: e.slice(at + 2) };
  });
  return new GitjobsError('Invalid', `The Job "${name}" is invalid: ${body}`, { causes });
}

function notFound(name: string): GitjobsError {
  return new GitjobsError('NotFound', `Error from server (NotFound): jobs.batch "${name}" not found`);
}

export interface PatchResult {
  job: Job;
  changed: boolean;
}

/**
 * A JSON merge patch of a Job (`kubectl patch`, and what `scale`, `suspend`
 * and `resume` amount to). Only the fields Kubernetes lets you change on a
 * live Job are accepted; a source-owned Job can be changed this way too.
 */
export function patchJob(db: Db, namespace: string, name: string, patch: unknown): PatchResult {
  return db.transaction((): PatchResult => {
    const job = getJobByName(db, namespace, name);
    if (job === undefined) throw notFound(name);
    if (!isObject(patch)) throw new GitjobsError('Invalid', `error: unable to parse the patch: a JSON object is required`);
    const errors: string[] = [];
    const next: Job = { ...job, labels: { ...job.labels }, annotations: { ...job.annotations }, spec: { ...job.spec } };
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'spec') patchSpec(job, next.spec, value, errors);
      else if (key === 'metadata') patchMetadata(job, next, value, errors);
      else if (key === 'status') continue; // only the controller writes status, as on a cluster
      else if ((key === 'apiVersion' && value === 'batch/v1') || (key === 'kind' && value === 'Job')) continue;
      else errors.push(`${key}: ${invalid(value, 'field is immutable')}`);
    }
    if (next.spec.completions !== job.spec.completions && !isElasticResize(next.spec)) {
      errors.push(`spec.completions: ${invalid(next.spec.completions ?? null, TANDEM)}`);
    }
    checkSpec(name, next.spec, errors);
    if (errors.length > 0) throw invalidJob(name, errors);
    const specChanged = !sameValue(job.spec, next.spec);
    const changed = specChanged || !sameValue(job.labels, next.labels) || !sameValue(job.annotations, next.annotations);
    if (!changed) return { job, changed: false };
    if (specChanged) next.generation = job.generation + 1;
    updateJob(db, next);
    return { job: next, changed: true };
  })();
}

function patchSpec(job: Job, spec: JobSpec, value: unknown, errors: string[]): void {
  if (!isObject(value)) {
    errors.push(`spec: ${invalid(value, 'must be an object')}`);
    return;
  }
  for (const [field, v] of Object.entries(value)) {
    if (field === 'completions' && job.spec.completionMode === 'Indexed') {
      // Checked once every field is patched: it must end equal to parallelism.
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) errors.push(`spec.completions: ${invalid(v, 'must be a 32-bit integer')}`);
      else spec.completions = v;
      continue;
    }
    if (!(MUTABLE_SPEC_FIELDS as readonly string[]).includes(field)) {
      const current = specValue(job.spec, field);
      if (!sameValue(current, mergeValue(current, v))) errors.push(`spec.${field}: ${invalid(v, 'field is immutable')}`);
      continue;
    }
    const f = field as MutableField;
    const next = v === null ? defaultMutableField(f, spec) : v;
    const problem = checkField(f, next);
    if (problem !== undefined) errors.push(`spec.${f}: ${problem}`);
    else setField(spec, f, next);
  }
}

function patchMetadata(job: Job, next: Job, value: unknown, errors: string[]): void {
  if (!isObject(value)) {
    errors.push(`metadata: ${invalid(value, 'must be an object')}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'labels' || key === 'annotations') {
      if (v !== null && !isObject(v)) {
        errors.push(`metadata.${key}: ${invalid(v, 'must be a map of strings')}`);
        continue;
      }
      const merged = mergeValue(next[key], v ?? {}) as Record<string, unknown>;
      const bad = Object.entries(merged).find(([, s]) => typeof s !== 'string');
      if (bad !== undefined) errors.push(`metadata.${key}[${bad[0]}]: ${invalid(bad[1], 'must be a string')}`);
      else next[key] = merged as Labels;
    } else if ((key === 'name' && v === job.name) || (key === 'namespace' && v === job.namespace)) {
      continue;
    } else {
      errors.push(`metadata.${key}: ${invalid(v, 'field is immutable')}`);
    }
  }
}

function checkField(f: MutableField, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  switch (f) {
    case 'suspend':
      return typeof v === 'boolean' ? undefined : invalid(v, 'must be a boolean');
    case 'podReplacementPolicy':
      return v === 'Failed' || v === 'TerminatingOrFailed' ? undefined : notSupported(v, ['Failed', 'TerminatingOrFailed']);
    default:
      if (typeof v !== 'number' || !Number.isInteger(v) || v > 2147483647) return invalid(v, 'must be a 32-bit integer');
      return v < 0 ? nonNegative(v) : undefined;
  }
}

/** The cross-field rules of Job validation that a mutable field can break, as manifests are checked. */
function checkSpec(name: string, s: JobSpec, errors: string[]): void {
  const issues: ManifestIssue[] = [];
  validateJobSpecEdit(name, s, new Reporter('', 0, new Locator({ line: 0, column: 0 }), issues));
  for (const i of issues) if (i.severity === 'error') errors.push(`${i.field}: ${i.message}`);
}

export type Cascade = 'background' | 'foreground' | 'orphan';

/**
 * `kubectl delete job`. background/foreground: the Job gets its deletion
 * timestamp and the controller stops its pods and then removes it. orphan:
 * the pods are released (they keep running, without an owner) and the Job
 * goes at once. Either way the run records who deleted it.
 */
export function deleteJob(db: Db, job: Job, cascade: Cascade, now: number): void {
  db.transaction(() => {
    markRunDeleted(db, job.uid, now, DELETED_BY_USER);
    if (cascade !== 'orphan') {
      markJobDeleted(db, job.uid, now);
      return;
    }
    // As the orphan handling of the Job controller: a Job that is gone no longer tracks its pods.
    for (const pod of listPodsForJob(db, job.uid)) if (pod.trackingFinalizer) removeFinalizer(db, pod.uid);
    releasePods(db, job.uid);
    removeJob(db, job.uid);
  })();
}

function setField(spec: JobSpec, f: MutableField, value: unknown): void {
  if (value === undefined) delete spec[f];
  else (spec as unknown as Record<string, unknown>)[f] = value;
}

function specValue(spec: JobSpec, field: string): unknown {
  return (spec as unknown as Record<string, unknown>)[field];
}

/** RFC 7386: objects merge key by key, null removes, anything else replaces. */
function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}
