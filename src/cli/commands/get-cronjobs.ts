import type { CronJob, CronJobStatus } from '../../api/cronjob.js';
import { getCronJobByName, getCronJobStatus, listCronJobs, listCronJobStatuses } from '../../store/cronjobs.js';
import { printCronJobsTable, type CronJobRow } from '../print/cronjobs-table.js';
import { found } from '../resources.js';
import type { GetKind } from './get-kind.js';

export const cronJobsKind: GetKind<CronJobRow> = {
  load(db, { names, namespace }) {
    const cronJobs: CronJob[] =
      names.length > 0 ? names.map((n) => found(getCronJobByName(db, namespace ?? 'default', n), 'cronjobs', n)) : listCronJobs(db, namespace);
    const statuses: Map<string, CronJobStatus> | undefined = names.length > 0 ? undefined : listCronJobStatuses(db);
    return cronJobs.map((cronJob) => ({
      name: cronJob.name,
      namespace: cronJob.namespace,
      labels: cronJob.labels,
      item: { cronJob, status: statuses === undefined ? getCronJobStatus(db, cronJob.uid) : statuses.get(cronJob.uid) },
    }));
  },
  table: printCronJobsTable,
  uid: (r) => r.cronJob.uid,
};
