import type { Migration } from './migration.js';

export const v3: Migration = {
  version: 3,
  description: 'covering index for listing Jobs',
  sql: `
    -- get jobs prints counts from the spec; reading each wide row (the whole
    -- spec) costs more than the listing itself at 10,000 Jobs, so the counts
    -- are kept beside it and listed from an index alone.
    ALTER TABLE jobs ADD COLUMN completions INTEGER;
    ALTER TABLE jobs ADD COLUMN parallelism INTEGER;
    UPDATE jobs SET completions = json_extract(spec_json, '$.completions'),
                    parallelism = json_extract(spec_json, '$.parallelism');
    CREATE INDEX jobs_listing ON jobs(namespace, name, uid, labels_json, created_at, deleted_at, completions, parallelism);
  `,
};
