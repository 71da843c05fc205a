import type { CronJob } from '../api/cronjob.js';
import { toCronJobObject } from '../cli/print/cronjob-object.js';
import { deleteCronJobsOp, patchCronJobOp } from '../ops/cronjob.js';
import { GitjobsError } from '../errors.js';
import { getCronJob, getCronJobByName, getCronJobStatus } from '../store/cronjobs.js';
import { patchCronJob } from '../sync/manual-cronjob.js';
import { isObject, readObjectBody } from './body.js';
import { inTransaction } from './dry-run.js';
import { writable } from './job-writes.js';
import { withVersion } from './list.js';
import { applyPatch, createMergePatch, PATCH_CONTENT_TYPES } from './patch.js';
import type { Obj, WriteRequest, Writes } from './registry.js';
import { dryRunOf } from './request.js';
import { sendObject } from './respond.js';
import { conflict, notFound, type TypeRef } from './status-error.js';
import { objectVersion } from './versions.js';

// Writes of batch/v1 CronJobs: `gitjobs patch cronjob` and `gitjobs delete
// cronjob`, the same operations. A CronJob is created only from the source.

const CRONJOB: TypeRef = { resource: 'cronjobs', group: 'batch', kind: 'CronJob' };

function current(w: WriteRequest): CronJob {
  const cj = getCronJobByName(w.ctx.db, w.namespace, w.path.name!);
  if (cj === undefined) throw notFound(CRONJOB, w.path.name!);
  return cj;
}

function object(w: WriteRequest, cj: CronJob): Obj {
  return withVersion(toCronJobObject(cj, getCronJobStatus(w.ctx.db, cj.uid)), objectVersion(w.ctx, 'cronjobs', cj.uid));
}

async function write(w: WriteRequest, desiredOf: (current: Obj, body: unknown) => unknown): Promise<void> {
  const body = await readObjectBody(w.req);
  const dryRun = dryRunOf(w.query);
  const cj = current(w);
  const live = object(w, cj);
  const desired = desiredOf(live, body);
  const rv = isObject(desired) && isObject(desired.metadata) ? desired.metadata.resourceVersion : undefined;
  if (rv !== undefined && rv !== null && rv !== '' && String(rv) !== (live.metadata as Obj).resourceVersion) {
    throw conflict(CRONJOB, cj.name, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  const patch = createMergePatch(writable(live), writable(desired));
  if (dryRun) {
    const next = inTransaction(w.ctx.db, true, () => patchCronJob(w.ctx.db, w.namespace, cj.name, patch).cronJob);
    return sendObject(w.res, 200, withVersion(toCronJobObject(next, getCronJobStatus(w.ctx.db, cj.uid)), (live.metadata as Obj).resourceVersion as string));
  }
  patchCronJobOp({ op: 'patch-cronjob', namespace: w.namespace, name: cj.name, patch }, w.ctx);
  sendObject(w.res, 200, object(w, getCronJob(w.ctx.db, cj.uid) ?? cj));
}

export const cronJobWrites: Writes = {
  patch(w) {
    const type = PATCH_CONTENT_TYPES[(w.req.headers['content-type'] ?? '').split(';', 1)[0]!.trim()];
    if (type === undefined) throw new GitjobsError('UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json');
    return write(w, (live, body) => applyPatch(type, live, body ?? {}));
  },
  update: (w) => write(w, (_live, body) => body),
  async delete(w) {
    const body = await readObjectBody(w.req);
    const options = isObject(body) ? body : {};
    const cj = current(w);
    const policy = w.query.get('propagationPolicy') ?? options.propagationPolicy;
    // CronJobs' dependents are deleted in the background unless asked otherwise, as the API server does.
    const cascade = policy === 'Foreground' ? 'foreground' : policy === 'Orphan' ? 'orphan' : 'background';
    if (!dryRunOf(w.query, options)) deleteCronJobsOp({ op: 'delete-cronjob', namespace: w.namespace, names: [cj.name], cascade }, w.ctx);
    const left = getCronJob(w.ctx.db, cj.uid);
    if (left !== undefined) return sendObject(w.res, 200, object(w, left));
    sendObject(w.res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: cj.name, group: 'batch', kind: 'cronjobs', uid: cj.uid } });
  },
};
