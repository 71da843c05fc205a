import type { Migration } from './migration.js';

export const v2: Migration = {
  version: 2,
  description: 'last-applied manifest spec (three-way sync) and commit provenance of a Job',
  sql: `
    -- The spec as the source last gave it: a mutable field changed through the
    -- CLI stays until the manifest's own value for it changes.
    ALTER TABLE jobs ADD COLUMN applied_spec_json TEXT;
    ALTER TABLE jobs ADD COLUMN origin_commit_json TEXT;
    ALTER TABLE runs ADD COLUMN commit_json TEXT;
  `,
};
