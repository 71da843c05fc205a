import { cronJobColumns, type CronJobRow } from '../../cli/print/cronjobs-table.js';
import { toCronJobObject } from '../../cli/print/cronjob-object.js';
import { rfc3339 } from '../../cli/print/objects.js';
import { getCronJob, getCronJobByName, getCronJobStatus, listCronJobs, listCronJobStatuses } from '../../store/cronjobs.js';
import { metaFields, resource, type AnyResource, type ItemKey } from '../registry.js';

// batch/v1 cronjobs, read-only: a CronJob's desired state is its manifest in
// the watched source (the CLI's patch and delete are the edits it allows).

const key = (r: CronJobRow): ItemKey => ({ namespace: r.cronJob.namespace, name: r.cronJob.name, uid: r.cronJob.uid, labels: r.cronJob.labels });

export const cronJobs: readonly AnyResource[] = [
  resource<CronJobRow>({
    group: 'batch',
    version: 'v1',
    resource: 'cronjobs',
    kind: 'CronJob',
    singular: 'cronjob',
    namespaced: true,
    verbs: ['get', 'list', 'watch'],
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
    metadata: (r) => ({
      name: r.cronJob.name,
      namespace: r.cronJob.namespace,
      uid: r.cronJob.uid,
      labels: r.cronJob.labels,
      creationTimestamp: rfc3339(r.cronJob.creationTimestamp),
      generation: r.cronJob.generation,
      ...(r.cronJob.deletionTimestamp === undefined ? {} : { deletionTimestamp: rfc3339(r.cronJob.deletionTimestamp) }),
    }),
    fields: metaFields(key),
    columns: cronJobColumns,
    writes: {},
  }),
];
