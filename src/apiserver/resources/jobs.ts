import { jobColumns, type JobRow } from '../../cli/print/jobs-table.js';
import { rfc3339, toJobObject } from '../../cli/print/objects.js';
import { getJob, getJobByName, listJobs, listJobsPage } from '../../store/jobs.js';
import { getJobStatus, listJobStatuses } from '../../store/status.js';
import { metaFields, resource, type ItemKey } from '../registry.js';
import { jobWrites } from '../job-writes.js';
import { jobTexts } from '../wire-cache.js';

const key = (r: JobRow): ItemKey => ({ namespace: r.job.namespace, name: r.job.name, uid: r.job.uid, labels: r.job.labels });

export const jobs = resource<JobRow>({
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  singular: 'job',
  namespaced: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: [],
  categories: ['all'],
  subresources: [{ name: 'status', kind: 'Job', verbs: ['get'] }],
  feed: 'jobs',
  list(ctx, namespace) {
    const statuses = listJobStatuses(ctx.db);
    return listJobs(ctx.db, namespace).map((job) => ({ job, status: statuses.get(job.uid) }));
  },
  page: (ctx, namespace, after, limit) => listJobsPage(ctx.db, namespace, after, limit).map((job) => ({ job, status: getJobStatus(ctx.db, job.uid) })),
  get(ctx, namespace, name) {
    const job = getJobByName(ctx.db, namespace, name);
    return job === undefined ? undefined : { job, status: getJobStatus(ctx.db, job.uid) };
  },
  byUid(ctx, uid) {
    const job = getJob(ctx.db, uid);
    return job === undefined ? undefined : { job, status: getJobStatus(ctx.db, uid) };
  },
  fromDeleted: (d) => (d.kind === 'jobs' ? { job: d.job, status: undefined } : undefined),
  texts: jobTexts,
  key,
  toObject: (r) => toJobObject(r.job, r.status),
  metadata: (r) => ({
    name: r.job.name,
    namespace: r.job.namespace,
    uid: r.job.uid,
    labels: r.job.labels,
    creationTimestamp: rfc3339(r.job.creationTimestamp),
    generation: r.job.generation,
    ...(r.job.deletionTimestamp === undefined ? {} : { deletionTimestamp: rfc3339(r.job.deletionTimestamp) }),
  }),
  fields: { ...metaFields(key), 'status.successful': (r) => String(r.status?.succeeded ?? 0) },
  columns: jobColumns,
  writes: jobWrites,
});
