// `kubectl get jobs`: NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR).

import type { Job, JobConditionType, JobStatus } from '../../api/types.js';
import { formatLabelSelector } from '../../api/selector.js';
import { age } from './duration.js';
import { completionsText, durationText, statusWord } from './jobs-listing.js';
import { printTable, type Column, type TableOptions } from './table.js';

export interface JobRow {
  job: Job;
  status: JobStatus | undefined;
}

// Like kubectl, only the first condition of a type counts.
function hasCondition(status: JobStatus | undefined, type: JobConditionType): boolean {
  const c = status?.conditions.find((x) => x.type === type);
  return c?.status === 'True';
}

export function jobStatusColumn(job: Job, status: JobStatus | undefined): string {
  return statusWord((t) => hasCondition(status, t), job.deletionTimestamp !== undefined);
}

export function jobCompletionsColumn(job: Job, status: JobStatus | undefined): string {
  return completionsText(status?.succeeded ?? 0, job.spec.completions, job.spec.parallelism);
}

export function jobDurationColumn(status: JobStatus | undefined, now: number): string {
  return durationText(status?.startTime, status?.completionTime, now);
}

/** The columns of `kubectl get jobs`, also the API's server-side Table. */
export function jobColumns(now: number): Column<JobRow>[] {
  return [
    { header: 'NAME', cell: (r) => r.job.name },
    { header: 'STATUS', cell: (r) => jobStatusColumn(r.job, r.status) },
    { header: 'COMPLETIONS', cell: (r) => jobCompletionsColumn(r.job, r.status) },
    { header: 'DURATION', cell: (r) => jobDurationColumn(r.status, now) },
    { header: 'AGE', cell: (r) => age(r.job.creationTimestamp, now) },
    { header: 'CONTAINERS', wide: true, cell: (r) => r.job.spec.template.spec.containers.map((c) => c.name).join(',') },
    { header: 'IMAGES', wide: true, cell: (r) => r.job.spec.template.spec.containers.map((c) => c.image ?? '').join(',') },
    { header: 'SELECTOR', wide: true, cell: (r) => formatLabelSelector(r.job.spec.selector) },
  ];
}

export function printJobsTable(rows: JobRow[], now: number, opts: TableOptions = {}): string {
  return printTable(jobColumns(now), rows, { ...opts, namespaceOf: (r) => r.job.namespace, labelsOf: (r) => r.job.labels });
}
