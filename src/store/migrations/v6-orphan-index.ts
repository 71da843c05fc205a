import type { Migration } from './migration.js';

export const v6: Migration = {
  version: 6,
  description: 'orphan pods indexed on their own',
  sql: `
    -- Every pass looks for orphans to adopt; without this it read every pod of
    -- the namespace, so a Job of 100,000 completions slowed as it went.
    -- Orphans are rare: the index stays tiny.
    CREATE INDEX pods_orphans ON pods(namespace, created_at) WHERE owner_uid IS NULL AND gone = 0;
  `,
};
