import type { Migration } from './migration.js';

export const v9: Migration = {
  version: 9,
  description: 'notification outbox, its delivery attempts, and webhook deliveries seen',
  sql: `
    -- One row per notification (a CloudEvent or a commit status) for one
    -- target, inserted in the transaction that writes its cause (a Job's
    -- terminal condition, a failed sync), so none is lost or made up. Rows are
    -- never updated: the deliverer writes its progress in outbox_delivery,
    -- and removes rows a week after they finished.
    CREATE TABLE outbox (
      seq           INTEGER PRIMARY KEY,
      event_id      TEXT NOT NULL,
      target        TEXT NOT NULL,
      type          TEXT NOT NULL,
      subject       TEXT NOT NULL,
      payload_json  TEXT NOT NULL,
      created_at    INTEGER NOT NULL,
      UNIQUE (event_id, target)
    );
    -- The deliverer's own table: attempts so far, when the next is due, and
    -- how it ended (delivered, or given up).
    CREATE TABLE outbox_delivery (
      seq           INTEGER PRIMARY KEY REFERENCES outbox(seq) ON DELETE CASCADE,
      attempts      INTEGER NOT NULL,
      next_at       INTEGER,
      last_error    TEXT,
      delivered_at  INTEGER,
      failed_at     INTEGER
    );
    CREATE INDEX outbox_delivery_open ON outbox_delivery(seq) WHERE delivered_at IS NULL AND failed_at IS NULL;
    -- Webhook deliveries acted on: a forge's redelivery (or a replay of a
    -- captured request) is answered without fetching twice.
    CREATE TABLE hook_deliveries (
      receiver     TEXT NOT NULL,
      delivery     TEXT NOT NULL,
      received_at  INTEGER NOT NULL,
      revision     TEXT,
      PRIMARY KEY (receiver, delivery)
    );
    CREATE INDEX hook_deliveries_by_time ON hook_deliveries(received_at);
  `,
};
