// `kubectl get cronjobs`: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (+ CONTAINERS IMAGES SELECTOR).

import type { CronJob, CronJobStatus } from '../../api/cronjob.js';
import { formatLabelSelector } from '../../api/selector.js';
import { age } from './duration.js';
import { printTable, type Column, type TableOptions } from './table.js';

export interface CronJobRow {
  cronJob: CronJob;
  status: CronJobStatus | undefined;
}

const containers = (r: CronJobRow) => r.cronJob.spec.jobTemplate.spec.template.spec.containers;

/** The columns of `kubectl get cronjobs`, also the API's server-side Table. */
export function cronJobColumns(now: number): Column<CronJobRow>[] {
  return [
    { header: 'NAME', cell: (r) => r.cronJob.name },
    { header: 'SCHEDULE', cell: (r) => r.cronJob.spec.schedule },
    { header: 'TIMEZONE', cell: (r) => r.cronJob.spec.timeZone ?? '<none>' },
    { header: 'SUSPEND', cell: (r) => (r.cronJob.spec.suspend ? 'True' : 'False') },
    { header: 'ACTIVE', cell: (r) => String(r.status?.active.length ?? 0) },
    { header: 'LAST SCHEDULE', cell: (r) => (r.status?.lastScheduleTime === undefined ? '<none>' : age(r.status.lastScheduleTime, now)) },
    { header: 'AGE', cell: (r) => age(r.cronJob.creationTimestamp, now) },
    { header: 'CONTAINERS', wide: true, cell: (r) => containers(r).map((c) => c.name).join(',') },
    { header: 'IMAGES', wide: true, cell: (r) => containers(r).map((c) => c.image ?? '').join(',') },
    // The template's selector is generated per Job, so a CronJob's is always unset.
    { header: 'SELECTOR', wide: true, cell: (r) => formatLabelSelector(r.cronJob.spec.jobTemplate.spec.selector) },
  ];
}

export function printCronJobsTable(rows: CronJobRow[], now: number, opts: TableOptions = {}): string {
  return printTable(cronJobColumns(now), rows, { ...opts, namespaceOf: (r) => r.cronJob.namespace, labelsOf: (r) => r.cronJob.labels });
}
