import type { Migration } from './migration.js';

export const v1: Migration = {
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
};
