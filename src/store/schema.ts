// Versioned migrations. Each entry runs once, in its own transaction, and bumps
// `PRAGMA user_version`; a database newer than this build is refused rather
// than guessed at.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs, status, conditions, pods, container terminations, events, runs, sources',
    sql: `
      CREATE TABLE sources (
        name            TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        url             TEXT NOT NULL,
        revision        TEXT,
        last_sync       INTEGER,
        ready           INTEGER NOT NULL DEFAULT 1,
        message         TEXT NOT NULL DEFAULT '',
        issues_json     TEXT NOT NULL DEFAULT '[]'
      );

      -- Desired state, one row per live Job. Written by the source sync; the
      -- controller only removes a row whose deletion was already requested.
      CREATE TABLE jobs (
        uid               TEXT PRIMARY KEY,
        namespace         TEXT NOT NULL,
        name              TEXT NOT NULL,
        labels_json       TEXT NOT NULL,
        annotations_json  TEXT NOT NULL,
        spec_json         TEXT NOT NULL,
        spec_hash         TEXT NOT NULL,
        generation        INTEGER NOT NULL,
        created_at        INTEGER NOT NULL,
        deleted_at        INTEGER,
        origin_kind       TEXT NOT NULL,
        origin_source     TEXT NOT NULL,
        origin_path       TEXT,
        origin_line       INTEGER,
        origin_revision   TEXT
      );
      CREATE UNIQUE INDEX jobs_by_name ON jobs(namespace, name);
      CREATE INDEX jobs_by_source ON jobs(origin_source);

      -- Observed state of a Job: written by the controller only.
      CREATE TABLE job_status (
        job_uid            TEXT PRIMARY KEY REFERENCES jobs(uid) ON DELETE CASCADE,
        start_time         INTEGER,
        completion_time    INTEGER,
        active             INTEGER NOT NULL DEFAULT 0,
        ready              INTEGER NOT NULL DEFAULT 0,
        terminating        INTEGER NOT NULL DEFAULT 0,
        succeeded          INTEGER NOT NULL DEFAULT 0,
        failed             INTEGER NOT NULL DEFAULT 0,
        completed_indexes  TEXT NOT NULL DEFAULT '',
        failed_indexes     TEXT,
        finished           INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX job_status_unfinished ON job_status(finished) WHERE finished = 0;

      CREATE TABLE job_conditions (
        job_uid               TEXT NOT NULL REFERENCES jobs(uid) ON DELETE CASCADE,
        seq                   INTEGER NOT NULL,
        type                  TEXT NOT NULL,
        status                TEXT NOT NULL,
        reason                TEXT NOT NULL,
        message               TEXT NOT NULL,
        last_probe_time       INTEGER NOT NULL,
        last_transition_time  INTEGER NOT NULL,
        PRIMARY KEY (job_uid, type)
      );

      -- Pods: identity, spec and deletion are the controller's; runtime status
      -- is the executor's (pod_status). Rows outlive their Job for history.
      CREATE TABLE pods (
        uid                 TEXT PRIMARY KEY,
        namespace           TEXT NOT NULL,
        name                TEXT NOT NULL,
        owner_uid           TEXT,
        owner_name          TEXT,
        labels_json         TEXT NOT NULL,
        annotations_json    TEXT NOT NULL,
        spec_json           TEXT NOT NULL,
        created_at          INTEGER NOT NULL,
        deleted_at          INTEGER,
        grace_seconds       INTEGER,
        tracking_finalizer  INTEGER NOT NULL DEFAULT 1,
        completion_index    INTEGER,
        gone                INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX pods_by_owner ON pods(owner_uid) WHERE gone = 0;
      CREATE INDEX pods_by_name ON pods(namespace, name);

      CREATE TABLE pod_status (
        pod_uid       TEXT PRIMARY KEY REFERENCES pods(uid) ON DELETE CASCADE,
        phase         TEXT NOT NULL,
        reason        TEXT,
        message       TEXT,
        start_time    INTEGER,
        status_json   TEXT NOT NULL,
        node_dir      TEXT,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX pod_status_live ON pod_status(phase) WHERE phase IN ('Pending', 'Running');

      -- One row per container run: what ended, how, and where its log is.
      CREATE TABLE container_terminations (
        pod_uid      TEXT NOT NULL REFERENCES pods(uid) ON DELETE CASCADE,
        container    TEXT NOT NULL,
        attempt      INTEGER NOT NULL,
        exit_code    INTEGER NOT NULL,
        signal       INTEGER,
        reason       TEXT NOT NULL,
        started_at   INTEGER,
        finished_at  INTEGER NOT NULL,
        log_path     TEXT,
        PRIMARY KEY (pod_uid, container, attempt)
      );

      CREATE TABLE events (
        id           INTEGER PRIMARY KEY,
        namespace    TEXT NOT NULL,
        kind         TEXT NOT NULL,
        name         TEXT NOT NULL,
        object_uid   TEXT,
        type         TEXT NOT NULL,
        reason       TEXT NOT NULL,
        message      TEXT NOT NULL,
        source       TEXT NOT NULL,
        first_ts     INTEGER NOT NULL,
        last_ts      INTEGER NOT NULL,
        count        INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX events_by_object ON events(namespace, kind, name);
      CREATE INDEX events_by_uid ON events(object_uid);
      CREATE INDEX events_by_time ON events(last_ts);

      -- Run history: one row per Job uid, kept after the Job is deleted.
      CREATE TABLE runs (
        job_uid        TEXT PRIMARY KEY,
        namespace      TEXT NOT NULL,
        name           TEXT NOT NULL,
        spec_hash      TEXT NOT NULL,
        origin_source  TEXT NOT NULL,
        origin_path    TEXT,
        revision       TEXT,
        trigger        TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        started_at     INTEGER,
        finished_at    INTEGER,
        result         TEXT,
        reason         TEXT,
        deleted_at     INTEGER,
        deleted_by     TEXT
      );
      CREATE INDEX runs_by_name ON runs(namespace, name, created_at);
      CREATE INDEX runs_by_hash ON runs(namespace, name, spec_hash);
    `,
  },
  {
    version: 2,
    description: 'last-applied manifest spec (three-way sync) and commit provenance of a Job',
    sql: `
      -- The spec as the source last gave it: a mutable field changed through the
      -- CLI stays until the manifest's own value for it changes.
      ALTER TABLE jobs ADD COLUMN applied_spec_json TEXT;
      ALTER TABLE jobs ADD COLUMN origin_commit_json TEXT;
      ALTER TABLE runs ADD COLUMN commit_json TEXT;
    `,
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    version: 6,
    description: 'orphan pods indexed on their own',
    sql: `
      -- Every pass looks for orphans to adopt; without this it read every pod of
      -- the namespace, so a Job of 100,000 completions slowed as it went.
      -- Orphans are rare: the index stays tiny.
      CREATE INDEX pods_orphans ON pods(namespace, created_at) WHERE owner_uid IS NULL AND gone = 0;
    `,
  },
  {
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
  },
  {
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
  },
  {
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
  },
];

/** The first schema with the condition summary and the job-name pod indexes (migration 5). */
export const LISTING_SCHEMA_VERSION = 5;

/** The first schema with the change log behind resourceVersion (migration 7). */
export const CHANGE_LOG_SCHEMA_VERSION = 7;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Marks a file as ours, so a foreign SQLite database is refused, never migrated. */
export const APPLICATION_ID = 0x67_6a_62_31; // "gjb1"
