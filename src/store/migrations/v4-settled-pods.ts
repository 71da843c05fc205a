import type { Migration } from './migration.js';

export const v4: Migration = {
  version: 4,
  description: 'settled pods: a reconcile pass reads only pods whose outcome is not yet counted',
  sql: `
    -- A pod is settled once it has ended and its outcome is in its Job's
    -- counters. A pass reads the unsettled pods and only the last few settled
    -- ones (for the back-off), so its cost does not grow with the Job's history.
    ALTER TABLE pods ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pods ADD COLUMN finished_at INTEGER;
    UPDATE pods SET settled = 1 WHERE tracking_finalizer = 0 AND uid IN
      (SELECT pod_uid FROM pod_status WHERE phase IN ('Succeeded', 'Failed'));
    CREATE INDEX pods_unsettled ON pods(owner_uid) WHERE gone = 0 AND settled = 0;
    CREATE INDEX pods_settled_recent ON pods(owner_uid, finished_at) WHERE gone = 0 AND settled = 1;
  `,
};
