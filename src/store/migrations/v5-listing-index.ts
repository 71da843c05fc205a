import type { Migration } from './migration.js';

export const v5: Migration = {
  version: 5,
  description: 'condition summary beside each Job status; pods indexed by their job-name labels',
  sql: `
    -- get jobs prints a STATUS word from the conditions; a summary kept on the
    -- status row ("Complete=True,...", in condition order) spares the listing a
    -- lookup per Job. Written with the status, in the same statement.
    ALTER TABLE job_status ADD COLUMN condition_summary TEXT NOT NULL DEFAULT '';
    UPDATE job_status SET condition_summary = coalesce(
      (SELECT group_concat(c.type || '=' || c.status, ',' ORDER BY c.seq) FROM job_conditions c WHERE c.job_uid = job_status.job_uid), '');
    -- get pods -l job-name=x finds the pods by label instead of reading every
    -- pod's labels. A pod's labels never change, so only its insert writes these.
    CREATE INDEX pods_by_job_name ON pods(json_extract(labels_json, '$."job-name"'));
    CREATE INDEX pods_by_batch_job_name ON pods(json_extract(labels_json, '$."batch.kubernetes.io/job-name"'));
  `,
};
