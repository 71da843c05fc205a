// Versioned migrations. Each entry runs once, in its own transaction, and bumps
// `PRAGMA user_version`; a database newer than this build is refused rather
// than guessed at.

import type { Migration } from './migrations/migration.js';
import { v1 } from './migrations/v1-base.js';
import { v2 } from './migrations/v2-applied-spec-and-commits.js';
import { v3 } from './migrations/v3-listing-columns.js';
import { v4 } from './migrations/v4-settled-pods.js';
import { v5 } from './migrations/v5-listing-index.js';
import { v6 } from './migrations/v6-orphan-index.js';
import { v7 } from './migrations/v7-change-log.js';
import { v8 } from './migrations/v8-cronjobs.js';
import { v9 } from './migrations/v9-outbox.js';

export type { Migration };

/** In version order; each file under migrations/ says what its step adds and why. */
export const MIGRATIONS: readonly Migration[] = [v1, v2, v3, v4, v5, v6, v7, v8, v9];

/** The first schema with the condition summary and the job-name pod indexes (migration 5). */
export const LISTING_SCHEMA_VERSION = 5;

/** The first schema with the change log behind resourceVersion (migration 7). */
export const CHANGE_LOG_SCHEMA_VERSION = 7;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Marks a file as ours, so a foreign SQLite database is refused, never migrated. */
export const APPLICATION_ID = 0x67_6a_62_31; // "gjb1"
