import type { Migration } from './migration.js';

export const v7: Migration = {
  version: 7,
  description: 'a change log of Jobs, pods and events, and each object\'s resourceVersion, for API lists and watches',
  sql: `
    -- Every write to an object the API serves appends a change here, from
    -- triggers, so no writer can forget one and a change commits or rolls
    -- back with the write that caused it. rv is the resourceVersion: one
    -- counter for all kinds, as etcd's revision. AUTOINCREMENT so an rv is
    -- never reused after the window below drops the oldest rows.
    CREATE TABLE changes (
      rv         INTEGER PRIMARY KEY AUTOINCREMENT,
      kind       TEXT NOT NULL,
      type       TEXT NOT NULL,
      uid        TEXT NOT NULL,
      namespace  TEXT NOT NULL,
      name       TEXT NOT NULL,
      -- For a DELETED change whose row is gone: the row as it was, so a
      -- watcher can still be sent the object (and match its labels).
      row_json   TEXT
    );

    -- The resourceVersion of each live object: its last change. Kept apart
    -- from the log so the log's window never loses a live object's version.
    CREATE TABLE object_versions (
      kind  TEXT NOT NULL,
      uid   TEXT NOT NULL,
      rv    INTEGER NOT NULL,
      PRIMARY KEY (kind, uid)
    ) WITHOUT ROWID;

    -- The window a watch can resume from: the last 50,000 changes. Older
    -- resourceVersions answer 410 Expired, and the client relists.
    CREATE TRIGGER changes_window AFTER INSERT ON changes BEGIN
      DELETE FROM changes WHERE rv <= NEW.rv - 50000;
      -- Not INSERT OR REPLACE: an outer upsert's conflict policy would override it.
      UPDATE object_versions SET rv = NEW.rv WHERE NEW.type <> 'DELETED' AND kind = NEW.kind AND uid = NEW.uid;
      INSERT INTO object_versions (kind, uid, rv) SELECT NEW.kind, NEW.uid, NEW.rv
        WHERE NEW.type <> 'DELETED' AND NOT EXISTS (SELECT 1 FROM object_versions WHERE kind = NEW.kind AND uid = NEW.uid);
      DELETE FROM object_versions WHERE NEW.type = 'DELETED' AND kind = NEW.kind AND uid = NEW.uid;
    END;

    CREATE TRIGGER jobs_added AFTER INSERT ON jobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('jobs', 'ADDED', NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER jobs_modified AFTER UPDATE ON jobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('jobs', 'MODIFIED', NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER jobs_deleted AFTER DELETE ON jobs BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name, row_json) VALUES ('jobs', 'DELETED', OLD.uid, OLD.namespace, OLD.name,
        json_object('uid', OLD.uid, 'namespace', OLD.namespace, 'name', OLD.name, 'labels_json', OLD.labels_json,
          'annotations_json', OLD.annotations_json, 'spec_json', OLD.spec_json, 'spec_hash', OLD.spec_hash,
          'generation', OLD.generation, 'created_at', OLD.created_at, 'deleted_at', OLD.deleted_at,
          'origin_kind', OLD.origin_kind, 'origin_source', OLD.origin_source, 'origin_path', OLD.origin_path,
          'origin_line', OLD.origin_line, 'origin_revision', OLD.origin_revision,
          'applied_spec_json', OLD.applied_spec_json, 'origin_commit_json', OLD.origin_commit_json));
    END;
    -- A Job's status and conditions are part of the Job object.
    CREATE TRIGGER job_status_added AFTER INSERT ON job_status BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'jobs', 'MODIFIED', j.uid, j.namespace, j.name FROM jobs j WHERE j.uid = NEW.job_uid;
    END;
    CREATE TRIGGER job_status_modified AFTER UPDATE ON job_status BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'jobs', 'MODIFIED', j.uid, j.namespace, j.name FROM jobs j WHERE j.uid = NEW.job_uid;
    END;
    CREATE TRIGGER job_conditions_added AFTER INSERT ON job_conditions BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'jobs', 'MODIFIED', j.uid, j.namespace, j.name FROM jobs j WHERE j.uid = NEW.job_uid;
    END;
    CREATE TRIGGER job_conditions_modified AFTER UPDATE ON job_conditions BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'jobs', 'MODIFIED', j.uid, j.namespace, j.name FROM jobs j WHERE j.uid = NEW.job_uid;
    END;

    -- A pod row outlives the API object for history: gone = 1 is its deletion.
    CREATE TRIGGER pods_added AFTER INSERT ON pods BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('pods', 'ADDED', NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER pods_modified AFTER UPDATE ON pods WHEN OLD.gone = 0 BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        VALUES ('pods', CASE WHEN NEW.gone = 1 THEN 'DELETED' ELSE 'MODIFIED' END, NEW.uid, NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER pods_deleted AFTER DELETE ON pods WHEN OLD.gone = 0 BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name, row_json) VALUES ('pods', 'DELETED', OLD.uid, OLD.namespace, OLD.name,
        json_object('uid', OLD.uid, 'namespace', OLD.namespace, 'name', OLD.name, 'owner_uid', OLD.owner_uid, 'owner_name', OLD.owner_name,
          'labels_json', OLD.labels_json, 'annotations_json', OLD.annotations_json, 'spec_json', OLD.spec_json,
          'created_at', OLD.created_at, 'deleted_at', OLD.deleted_at, 'grace_seconds', OLD.grace_seconds,
          'tracking_finalizer', OLD.tracking_finalizer, 'completion_index', OLD.completion_index, 'gone', OLD.gone,
          'settled', OLD.settled, 'finished_at', OLD.finished_at));
    END;
    -- A pod's first status is inserted with the pod: its ADDED covers it.
    CREATE TRIGGER pod_status_modified AFTER UPDATE ON pod_status BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'pods', 'MODIFIED', p.uid, p.namespace, p.name FROM pods p WHERE p.uid = NEW.pod_uid AND p.gone = 0;
    END;
    CREATE TRIGGER container_terminations_added AFTER INSERT ON container_terminations BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name)
        SELECT 'pods', 'MODIFIED', p.uid, p.namespace, p.name FROM pods p WHERE p.uid = NEW.pod_uid AND p.gone = 0;
    END;

    -- Events are keyed by their row id: the API names them from it.
    CREATE TRIGGER events_added AFTER INSERT ON events BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('events', 'ADDED', CAST(NEW.id AS TEXT), NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER events_modified AFTER UPDATE ON events BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('events', 'MODIFIED', CAST(NEW.id AS TEXT), NEW.namespace, NEW.name);
    END;
    CREATE TRIGGER events_deleted AFTER DELETE ON events BEGIN
      INSERT INTO changes (kind, type, uid, namespace, name, row_json) VALUES ('events', 'DELETED', CAST(OLD.id AS TEXT), OLD.namespace, OLD.name,
        json_object('id', OLD.id, 'namespace', OLD.namespace, 'kind', OLD.kind, 'name', OLD.name, 'object_uid', OLD.object_uid,
          'type', OLD.type, 'reason', OLD.reason, 'message', OLD.message, 'source', OLD.source,
          'first_ts', OLD.first_ts, 'last_ts', OLD.last_ts, 'count', OLD.count));
    END;

    -- Objects that existed before this migration get a version too.
    INSERT INTO object_versions (kind, uid, rv) SELECT 'jobs', uid, 0 FROM jobs;
    INSERT INTO object_versions (kind, uid, rv) SELECT 'pods', uid, 0 FROM pods WHERE gone = 0;
    INSERT INTO object_versions (kind, uid, rv) SELECT 'events', CAST(id AS TEXT), 0 FROM events;
  `,
};
