// `kubectl get jobs`: NAME STATUS COMPLETIONS DURATION AGE (+ CONTAINERS IMAGES SELECTOR).

import type { Job, JobConditionType, JobStatus } from '../../api/types.js';
import { formatLabelSelector } from '../../api/selector.js';
import type { JobTableRow } from '../../store/jobs.js';
import { conditionSummary } from '../../store/status.js';
import { age } from './duration.js';
import { completionsText, durationText, statusWord, summaryConditionTrue } from './jobs-listing.js';
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

/**
 * A whole Job and its status as the row the columns print from: what the
 * store's Table query (listJobTableRows) reads without whole Jobs.
 */
export function jobTableRow(job: Job, status: JobStatus | undefined): JobTableRow {
  const containers = job.spec.template.spec.containers;
  return {
    uid: job.uid,
    namespace: job.namespace,
    name: job.name,
    labels: job.labels,
    creationTimestamp: job.creationTimestamp,
    generation: job.generation,
    deletionTimestamp: job.deletionTimestamp,
    completions: job.spec.completions,
    parallelism: job.spec.parallelism,
    startTime: status?.startTime,
    completionTime: status?.completionTime,
    succeeded: status?.succeeded ?? 0,
    conditions: conditionSummary(status?.conditions ?? []),
    containerNames: containers.map((c) => c.name).join(','),
    containerImages: containers.map((c) => c.image ?? '').join(','),
    selector: job.spec.selector,
  };
}

/** The columns of `kubectl get jobs`, also the API's server-side Table. */
export function jobColumns(now: number): Column<JobTableRow>[] {
  return [
    { header: 'NAME', cell: (r) => r.name },
    { header: 'STATUS', cell: (r) => statusWord((t) => summaryConditionTrue(r.conditions, t), r.deletionTimestamp !== undefined) },
    { header: 'COMPLETIONS', cell: (r) => completionsText(r.succeeded, r.completions, r.parallelism) },
    { header: 'DURATION', cell: (r) => durationText(r.startTime, r.completionTime, now) },
    { header: 'AGE', cell: (r) => age(r.creationTimestamp, now) },
    { header: 'CONTAINERS', wide: true, cell: (r) => r.containerNames },
    { header: 'IMAGES', wide: true, cell: (r) => r.containerImages },
    { header: 'SELECTOR', wide: true, cell: (r) => formatLabelSelector(r.selector) },
  ];
}

export function printJobsTable(rows: JobRow[], now: number, opts: TableOptions = {}): string {
  const lines = rows.map((r) => jobTableRow(r.job, r.status));
  return printTable(jobColumns(now), lines, { ...opts, namespaceOf: (r) => r.namespace, labelsOf: (r) => r.labels });
}
