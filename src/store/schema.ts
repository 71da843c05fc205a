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
];

/** The first schema with the condition summary and the job-name pod indexes (migration 5). */
export const LISTING_SCHEMA_VERSION = 5;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Marks a file as ours, so a foreign SQLite database is refused, never migrated. */
export const APPLICATION_ID = 0x67_6a_62_31; // "gjb1"
