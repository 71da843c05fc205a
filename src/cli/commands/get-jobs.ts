import type { Job, JobStatus } from '../../api/types.js';
import { getJobByName, listJobs } from '../../store/jobs.js';
import { getJobStatus, listJobStatuses } from '../../store/status.js';
import { printJobsTable, type JobRow } from '../print/jobs-table.js';
import { found } from '../resources.js';
import type { GetKind } from './get-kind.js';

export type { JobRow };

/** Whole Jobs with their status: what `-o wide`, `-o json`, `--sort-by` and `-w` need. */
export const jobsKind: GetKind<JobRow> = {
  load(db, { names, namespace }) {
    const jobs: Job[] =
      names.length > 0 ? names.map((n) => found(getJobByName(db, namespace ?? 'default', n), 'jobs', n)) : listJobs(db, namespace);
    const statuses: Map<string, JobStatus> | undefined = names.length > 0 ? undefined : listJobStatuses(db);
    return jobs.map((job) => ({
      name: job.name,
      namespace: job.namespace,
      labels: job.labels,
      item: { job, status: statuses === undefined ? getJobStatus(db, job.uid) : statuses.get(job.uid) },
    }));
  },
  table: printJobsTable,
  uid: (r) => r.job.uid,
};
