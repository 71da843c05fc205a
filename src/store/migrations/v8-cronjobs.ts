import type { Migration } from './migration.js';

export const v8: Migration = {
  version: 8,
  description: 'CronJobs (desired state and controller status); the CronJob that owns a Job',
  sql: `
    -- Desired state of a CronJob. Written by the source sync and by the CLI's
    -- patch and delete; the CronJob controller only removes a row whose
    -- deletion was already requested.
    CREATE TABLE cronjobs (
      uid                 TEXT PRIMARY KEY,
      namespace           TEXT NOT NULL,
      name                TEXT NOT NULL,
      labels_json         TEXT NOT NULL,
      annotations_json    TEXT NOT NULL,
      spec_json           TEXT NOT NULL,
      applied_spec_json   TEXT,
      generation          INTEGER NOT NULL,
      created_at          INTEGER NOT NULL,
      deleted_at          INTEGER,
      deletion_cascade    TEXT,
      origin_kind         TEXT NOT NULL,
      origin_source       TEXT NOT NULL,
      origin_path         TEXT,
      origin_line         INTEGER,
      origin_revision     TEXT,
      origin_commit_json  TEXT
    );
    CREATE UNIQUE INDEX cronjobs_by_name ON cronjobs(namespace, name);
    CREATE INDEX cronjobs_by_source ON cronjobs(origin_source);

    -- Observed state of a CronJob: written by the CronJob controller only.
    CREATE TABLE cronjob_status (
      cronjob_uid           TEXT PRIMARY KEY REFERENCES cronjobs(uid) ON DELETE CASCADE,
      active_json           TEXT NOT NULL DEFAULT '[]',
      last_schedule_time    INTEGER,
      last_successful_time  INTEGER
    );

    -- The controller owner reference of a Job a CronJob made. Such a Job is
    -- not the source's: it is never pruned as missing from the manifests.
    ALTER TABLE jobs ADD COLUMN owner_uid TEXT;
    ALTER TABLE jobs ADD COLUMN owner_name TEXT;
    CREATE INDEX jobs_by_owner ON jobs(owner_uid) WHERE owner_uid IS NOT NULL;

    -- The API's change log (migration 7) covers CronJobs as it covers Jobs:
    -- their status is part of the object.
    CREATE TRIGGER cronjobs_added AFTER INSERT ON cronjobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('cronjobs', 'ADDED', NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER cronjobs_modified AFTER UPDATE ON cronjobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('cronjobs', 'MODIFIED', NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER cronjobs_deleted AFTER DELETE ON cronjobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name, row_json) VALUES ('cronjobs', 'DELETED', OLD.uid, OLD.namespace, OLD.name,
        json_object('uid', OLD.uid, 'namespace', OLD.namespace, 'name', OLD.name, 'labels_json', OLD.labels_json,
          'annotations_json', OLD.annotations_json, 'spec_json', OLD.spec_json, 'applied_spec_json', OLD.applied_spec_json,
          'generation', OLD.generation, 'created_at', OLD.created_at, 'deleted_at', OLD.deleted_at,
          'deletion_cascade', OLD.deletion_cascade, 'origin_kind', OLD.origin_kind, 'origin_source', OLD.origin_source,
          'origin_path', OLD.origin_path, 'origin_line', OLD.origin_line, 'origin_revision', OLD.origin_revision,
          'origin_commit_json', OLD.origin_commit_json));
    END;
    CREATE TRIGGER cronjob_status_added AFTER INSERT ON cronjob_status BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'cronjobs', 'MODIFIED', c.uid, c.namespace, c.name FROM cronjobs c WHERE c.uid = NEW.cronjob_uid;
    END;
    CREATE TRIGGER cronjob_status_modified AFTER UPDATE ON cronjob_status BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'cronjobs', 'MODIFIED', c.uid, c.namespace, c.name FROM cronjobs c WHERE c.uid = NEW.cronjob_uid;
    END;

    -- A deleted Job's last form keeps its owner reference, for a watcher.
    DROP TRIGGER jobs_deleted;
    CREATE TRIGGER jobs_deleted AFTER DELETE ON jobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name, row_json) VALUES ('jobs', 'DELETED', OLD.uid, OLD.namespace, OLD.name,
        json_object('uid', OLD.uid, 'namespace', OLD.namespace, 'name', OLD.name, 'labels_json', OLD.labels_json,
          'annotations_json', OLD.annotations_json, 'spec_json', OLD.spec_json, 'spec_hash', OLD.spec_hash,
          'generation', OLD.generation, 'created_at', OLD.created_at, 'deleted_at', OLD.deleted_at,
          'origin_kind', OLD.origin_kind, 'origin_source', OLD.origin_source, 'origin_path', OLD.origin_path,
          'origin_line', OLD.origin_line, 'origin_revision', OLD.origin_revision,
          'applied_spec_json', OLD.applied_spec_json, 'origin_commit_json', OLD.origin_commit_json,
          'owner_uid', OLD.owner_uid, 'owner_name', OLD.owner_name));
    END;
  `,
};
