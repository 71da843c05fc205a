import type { Job } from '../api/types.js';
import { toJobObject } from '../cli/print/objects.js';
import { GitjobsError } from '../errors.js';
import { parseManifest, type ManifestIssue, type ParsedJob } from '../manifest/index.js';
import { getJob, getJobByName } from '../store/jobs.js';
import { getJobStatus } from '../store/status.js';
import { applyJob, deleteJob, LAST_APPLIED_ANNOTATION, patchJob, type Cascade } from '../sync/manual.js';
import { isObject, readObjectBody } from './body.js';
import { inTransaction } from './dry-run.js';
import { withVersion } from './list.js';
import { applyPatch, createMergePatch, PATCH_CONTENT_TYPES } from './patch.js';
import type { Obj, WriteRequest, Writes } from './registry.js';
import { dryRunOf } from './request.js';
import { sendObject } from './respond.js';
import { about, ApiError, conflict, notFound, type TypeRef } from './status-error.js';
import { objectVersion } from './versions.js';

// Writes of batch/v1 Jobs. Each is the CLI's own operation: POST is
// `gitjobs create`, a PATCH that carries kubectl's last-applied configuration
// is `gitjobs apply` of that configuration, any other PATCH or PUT is
// `gitjobs patch` of what changed, DELETE is `gitjobs delete`.

const JOB: TypeRef = { resource: 'jobs', group: 'batch', kind: 'Job' };

const CAUSE_REASON: Partial<Record<ManifestIssue['code'], string>> = {
  FieldRequired: 'FieldValueRequired',
  FieldNotSupported: 'FieldValueNotSupported',
  FieldDuplicate: 'FieldValueDuplicate',
  FieldForbidden: 'FieldValueForbidden',
  FieldNotFound: 'FieldValueNotFound',
  UnknownField: 'FieldValueInvalid',
};

/** Parses a Job sent to the API with the manifest checks a file gets; Invalid names the fields. */
function parseJobBody(body: unknown, namespace: string, file: string): { parsed: ParsedJob; warnings: string[] } {
  if (!isObject(body)) throw new GitjobsError('Usage', 'the body of the request must be a Job object');
  const meta = isObject(body.metadata) ? { ...body.metadata } : {};
  if (meta.namespace !== undefined && meta.namespace !== namespace) {
    throw new GitjobsError('Usage', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = namespace;
  if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') {
    meta.name = meta.generateName + Math.random().toString(36).slice(2, 7);
  }
  delete meta.generateName;
  const name = typeof meta.name === 'string' ? meta.name : '';
  // The path says what it is: a body may leave apiVersion and kind out, as client libraries do.
  const typed = { ...body, apiVersion: body.apiVersion ?? 'batch/v1', kind: body.kind ?? 'Job', metadata: meta };
  const { jobs, issues } = parseManifest(JSON.stringify(typed), file);
  const errors = issues.filter((i) => i.severity === 'error');
  const unknown = errors.find((i) => i.code === 'UnknownField');
  if (unknown !== undefined) throw new GitjobsError('Usage', `strict decoding error: ${unknown.field}: ${unknown.message}`);
  if (errors.length > 0 || jobs.length !== 1) {
    const parts = errors.map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`));
    const text = parts.length === 1 ? parts[0]! : `[${parts.join(', ')}]`;
    throw new ApiError('Invalid', `Job.batch "${name}" is invalid: ${text}`, {
      name,
      group: 'batch',
      kind: 'Job',
      causes: errors.map((i) => ({ field: i.field, message: i.message, reason: CAUSE_REASON[i.code] ?? 'FieldValueInvalid' })),
    });
  }
  return { parsed: jobs[0]!, warnings: issues.filter((i) => i.severity === 'warning').map((i) => (i.field === '' ? i.message : `${i.field}: ${i.message}`)) };
}

function jobObject(w: WriteRequest, job: Job): Obj {
  return withVersion(toJobObject(job, getJobStatus(w.ctx.db, job.uid)), objectVersion(w.ctx, 'jobs', job.uid));
}

function warningHeaders(warnings: string[]): Record<string, string> {
  // Node joins a list of values for one header with ", ", which kubectl's parser takes.
  return warnings.length === 0 ? {} : { Warning: warnings.map((m) => `299 - ${JSON.stringify(m)}`).join(', ') };
}

function send(w: WriteRequest, status: number, body: Obj, warnings: string[] = []): void {
  const extra = warningHeaders(warnings);
  for (const [k, v] of Object.entries(extra)) w.res.setHeader(k, v);
  sendObject(w.res, status, body);
}

function currentJob(w: WriteRequest): Job {
  const name = w.path.name!;
  const job = getJobByName(w.ctx.db, w.namespace, name);
  if (job === undefined) throw notFound(JOB, name);
  return job;
}

const SERVER_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName'];

/** What a client may change: the object without status and server-set metadata. */
export function writable(o: unknown): Obj {
  if (!isObject(o)) return {};
  const meta = isObject(o.metadata) ? { ...o.metadata } : {};
  for (const k of SERVER_METADATA) delete meta[k];
  const out: Obj = { ...o, metadata: meta };
  delete out.status;
  return out;
}

function checkVersion(w: WriteRequest, job: Job, desired: unknown): void {
  const meta = isObject(desired) && isObject(desired.metadata) ? desired.metadata : {};
  const rv = meta.resourceVersion;
  if (rv !== undefined && rv !== null && rv !== '' && String(rv) !== objectVersion(w.ctx, 'jobs', job.uid)) {
    throw conflict(JOB, job.name, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  if (meta.uid !== undefined && meta.uid !== null && meta.uid !== job.uid) {
    throw conflict(JOB, job.name, `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${job.uid}`);
  }
}

/** Turns a desired object into the CLI's operation: apply of kubectl's last-applied configuration, or a patch. */
function writeDesired(w: WriteRequest, job: Job, current: Obj, desired: unknown, dryRun: boolean): { job: Job; changed: boolean; warnings: string[] } {
  const before = (current.metadata as Obj).annotations as Record<string, string> | undefined;
  const after = isObject(desired) && isObject(desired.metadata) && isObject(desired.metadata.annotations) ? desired.metadata.annotations : undefined;
  const applied = after?.[LAST_APPLIED_ANNOTATION];
  const now = w.ctx.clock.now();
  if (typeof applied === 'string' && applied !== before?.[LAST_APPLIED_ANNOTATION]) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(applied);
    } catch {
      throw new GitjobsError('Usage', `metadata.annotations[${LAST_APPLIED_ANNOTATION}] is not JSON`);
    }
    const { parsed, warnings } = parseJobBody(manifest, w.namespace, `${LAST_APPLIED_ANNOTATION}`);
    return inTransaction(w.ctx.db, dryRun, () => {
      const r = applyJob(w.ctx.db, parsed, 'apply', now);
      return { job: getJob(w.ctx.db, r.job.uid) ?? r.job, changed: r.outcome !== 'unchanged', warnings };
    });
  }
  const patch = createMergePatch(writable(current), writable(desired));
  return inTransaction(w.ctx.db, dryRun, () => {
    const r = patchJob(w.ctx.db, w.namespace, job.name, patch);
    return { job: r.job, changed: r.changed, warnings: [] };
  });
}

function afterWrite(w: WriteRequest, job: Job, what: string, dryRun: boolean): void {
  if (dryRun) return;
  w.ctx.controller.enqueue(job.uid);
  w.ctx.logger.info(`job ${what}`, { job: `${job.namespace}/${job.name}`, by: 'api' });
}

const PATCH_TYPES = 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json';

export const jobWrites: Writes = {
  async create(w) {
    const body = await readObjectBody(w.req);
    const dryRun = dryRunOf(w.query);
    const { parsed, warnings } = parseJobBody(body, w.namespace, 'request');
    let obj: Obj;
    try {
      obj = inTransaction(w.ctx.db, dryRun, () => {
        const { job } = applyJob(w.ctx.db, parsed, 'create', w.ctx.clock.now());
        return jobObject(w, job);
      });
    } catch (err) {
      throw about(err, JOB, parsed.name);
    }
    const meta = obj.metadata as Obj;
    if (!dryRun) afterWrite(w, { uid: meta.uid, namespace: meta.namespace, name: meta.name } as Job, 'created', false);
    send(w, 201, obj, warnings);
  },

  async update(w) {
    const body = await readObjectBody(w.req);
    const dryRun = dryRunOf(w.query);
    const job = currentJob(w);
    if (isObject(body) && isObject(body.metadata) && body.metadata.name !== undefined && body.metadata.name !== job.name) {
      throw new GitjobsError('Usage', `the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${job.name})`);
    }
    checkVersion(w, job, body);
    const current = toJobObject(job, undefined);
    const r = writeDesired(w, job, current, body, dryRun);
    if (r.changed) afterWrite(w, r.job, 'updated', dryRun);
    send(w, 200, jobObject(w, r.job), r.warnings);
  },

  async patch(w) {
    const type = PATCH_CONTENT_TYPES[(w.req.headers['content-type'] ?? '').split(';', 1)[0]!.trim()];
    if (type === undefined) {
      throw new GitjobsError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES}`);
    }
    const body = await readObjectBody(w.req);
    const dryRun = dryRunOf(w.query);
    const job = currentJob(w);
    const current = withVersion(toJobObject(job, undefined), objectVersion(w.ctx, 'jobs', job.uid));
    const desired = applyPatch(type, current, body ?? {});
    checkVersion(w, job, desired);
    const r = writeDesired(w, job, current, desired, dryRun);
    if (r.changed) afterWrite(w, r.job, 'patched', dryRun);
    send(w, 200, jobObject(w, r.job), r.warnings);
  },

  async delete(w) {
    const body = await readObjectBody(w.req);
    const options = isObject(body) ? body : {};
    const dryRun = dryRunOf(w.query, options);
    const job = currentJob(w);
    const cascade = cascadeOf(w.query.get('propagationPolicy') ?? options.propagationPolicy, options.orphanDependents ?? w.query.get('orphanDependents'));
    const pre = isObject(options.preconditions) ? options.preconditions : {};
    checkVersion(w, job, { metadata: { uid: pre.uid, resourceVersion: pre.resourceVersion } });
    const now = w.ctx.clock.now();
    const obj = inTransaction(w.ctx.db, dryRun, () => {
      deleteJob(w.ctx.db, job, cascade, now);
      const left = getJob(w.ctx.db, job.uid);
      return left === undefined ? undefined : jobObject(w, left);
    });
    if (!dryRun) {
      if (cascade !== 'orphan') w.ctx.controller.enqueue(job.uid);
      w.ctx.logger.info('job deleted by request', { job: `${job.namespace}/${job.name}`, cascade, by: 'api' });
    }
    if (obj !== undefined) return send(w, 200, obj);
    send(w, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: job.name, group: 'batch', kind: 'jobs', uid: job.uid } });
  },
};

/**
 * DeleteOptions' propagationPolicy. Unset, a batch/v1 Job's dependents are
 * orphaned, as the API server does for Jobs (kubectl asks for Background).
 */
function cascadeOf(policy: unknown, orphanDependents: unknown): Cascade {
  if (policy === undefined || policy === null || policy === '') {
    return orphanDependents === false || orphanDependents === 'false' ? 'background' : 'orphan';
  }
  switch (policy) {
    case 'Background':
      return 'background';
    case 'Foreground':
      return 'foreground';
    case 'Orphan':
      return 'orphan';
    default:
      throw new ApiError('Usage', `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
}
