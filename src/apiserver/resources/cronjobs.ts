import { cronJobColumns, type CronJobRow } from '../../cli/print/cronjobs-table.js';
import { toCronJobObject } from '../../cli/print/cronjob-object.js';
import { getCronJob, getCronJobByName, getCronJobStatus, listCronJobs, listCronJobStatuses } from '../../store/cronjobs.js';
import { cronJobWrites } from '../cronjob-writes.js';
import { metaFields, resource, type AnyResource, type ItemKey } from '../registry.js';

const key = (r: CronJobRow): ItemKey => ({ namespace: r.cronJob.namespace, name: r.cronJob.name, uid: r.cronJob.uid, labels: r.cronJob.labels });

const cronJobs_ = resource<CronJobRow>({
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  singular: 'cronjob',
  namespaced: true,
  // Created only from the watched source, as `gitjobs apply` refuses them.
  verbs: ['delete', 'get', 'list', 'patch', 'update', 'watch'],
  shortNames: ['cj'],
  categories: ['all'],
  subresources: [{ name: 'status', kind: 'CronJob', verbs: ['get'] }],
  feed: 'cronjobs',
  list(ctx, namespace) {
    const statuses = listCronJobStatuses(ctx.db);
    return listCronJobs(ctx.db, namespace).map((cronJob) => ({ cronJob, status: statuses.get(cronJob.uid) }));
  },
  get(ctx, namespace, name) {
    const cronJob = getCronJobByName(ctx.db, namespace, name);
    return cronJob === undefined ? undefined : { cronJob, status: getCronJobStatus(ctx.db, cronJob.uid) };
  },
  byUid(ctx, uid) {
    const cronJob = getCronJob(ctx.db, uid);
    return cronJob === undefined ? undefined : { cronJob, status: getCronJobStatus(ctx.db, uid) };
  },
  fromDeleted: (d) => (d.kind === 'cronjobs' ? { cronJob: d.cronJob, status: undefined } : undefined),
  key,
  toObject: (r) => toCronJobObject(r.cronJob, r.status),
  fields: metaFields(key),
  columns: cronJobColumns,
  writes: cronJobWrites,
});

/** batch/v1 cronjobs: a row of the table as jobs.ts is. */
export const cronJobs: readonly AnyResource[] = [cronJobs_];
