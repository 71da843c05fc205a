// `kubectl get jobs`: NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR).

import type { Job, JobConditionType, JobStatus } from '../../api/types.js';
import { formatLabelSelector } from '../../api/selector.js';
import { age, humanDuration } from './duration.js';
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
  if (hasCondition(status, 'Complete')) return 'Complete';
  if (hasCondition(status, 'Failed')) return 'Failed';
  if (job.deletionTimestamp !== undefined) return 'Terminating';
  if (hasCondition(status, 'Suspended')) return 'Suspended';
  if (hasCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletionsColumn(job: Job, status: JobStatus | undefined): string {
  const succeeded = status?.succeeded ?? 0;
  if (job.spec.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  return job.spec.parallelism > 1 ? `${succeeded}/1 of ${job.spec.parallelism}` : `${succeeded}/1`;
}

export function jobDurationColumn(status: JobStatus | undefined, now: number): string {
  if (status?.startTime === undefined) return '';
  // Failed Jobs have no completionTime, so their duration keeps growing, as in kubectl.
  if (status.completionTime === undefined) return humanDuration(now - status.startTime);
  return humanDuration(status.completionTime - status.startTime);
}

export function printJobsTable(rows: JobRow[], now: number, opts: TableOptions = {}): string {
  const columns: Column<JobRow>[] = [
    { header: 'NAME', cell: (r) => r.job.name },
    { header: 'STATUS', cell: (r) => jobStatusColumn(r.job, r.status) },
    { header: 'COMPLETIONS', cell: (r) => jobCompletionsColumn(r.job, r.status) },
    { header: 'DURATION', cell: (r) => jobDurationColumn(r.status, now) },
    { header: 'AGE', cell: (r) => age(r.job.creationTimestamp, now) },
    { header: 'CONTAINERS', wide: true, cell: (r) => r.job.spec.template.spec.containers.map((c) => c.name).join(',') },
    { header: 'IMAGES', wide: true, cell: (r) => r.job.spec.template.spec.containers.map((c) => c.image ?? '').join(',') },
    { header: 'SELECTOR', wide: true, cell: (r) => formatLabelSelector(r.job.spec.selector) },
  ];
  return printTable(columns, rows, { ...opts, namespaceOf: (r) => r.job.namespace, labelsOf: (r) => r.job.labels });
}
