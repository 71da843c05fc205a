import { jobColumns, jobTableRow, type JobRow } from '../../cli/print/jobs-table.js';
import { rfc3339, toJobObject } from '../../cli/print/objects.js';
import { getJob, getJobByName, listJobs, listJobsPage, listJobTableRows, type JobTableRow } from '../../store/jobs.js';
import { getJobStatus, listJobStatuses } from '../../store/status.js';
import { metaFields, resource, type ItemKey, type Obj, type TableRows } from '../registry.js';
import { jobWrites } from '../job-writes.js';
import { jobTexts } from '../wire-cache.js';

const key = (r: JobRow): ItemKey => ({ namespace: r.job.namespace, name: r.job.name, uid: r.job.uid, labels: r.job.labels });

/** What a Table's row carries of a Job when metadata is asked for: PartialObjectMetadata's. */
function rowMetadata(r: JobTableRow): Obj {
  return {
    name: r.name,
    namespace: r.namespace,
    uid: r.uid,
    labels: r.labels,
    creationTimestamp: rfc3339(r.creationTimestamp),
    generation: r.generation,
    ...(r.deletionTimestamp === undefined ? {} : { deletionTimestamp: rfc3339(r.deletionTimestamp) }),
  };
}

// kubectl's `get jobs` asks for every column and metadata only: read just that.
const tableRows: TableRows<JobTableRow> = {
  list: (ctx, namespace) => listJobTableRows(ctx.db, namespace),
  page: (ctx, namespace, after, limit) => listJobTableRows(ctx.db, namespace, { after, limit }),
  key: (r) => r,
  metadata: rowMetadata,
  columns: jobColumns,
};

/** The same columns over whole Jobs (one object, a watch event, a field-selected list), each row converted once. */
function wholeJobColumns(now: number) {
  const rows = new WeakMap<JobRow, JobTableRow>();
  const rowOf = (r: JobRow): JobTableRow => {
    let row = rows.get(r);
    if (row === undefined) {
      row = jobTableRow(r.job, r.status);
      rows.set(r, row);
    }
    return row;
  };
  return jobColumns(now).map((c) => ({ ...c, cell: (r: JobRow) => c.cell(rowOf(r)) }));
}

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
  metadata: (r) => rowMetadata(jobTableRow(r.job, r.status)),
  fields: { ...metaFields(key), 'status.successful': (r) => String(r.status?.succeeded ?? 0) },
  columns: wholeJobColumns,
  tableRows: tableRows as TableRows<unknown>,
  writes: jobWrites,
});
