import { join, resolve } from 'node:path';
import { openDb, STATE_DB_FILE, type Db } from '../store/db.js';

export function stateDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.GITJOBS_STATE ?? 'state');
}

/** The CLI only ever reads the database, so it works while the daemon is down or busy. */
export function openStateReadOnly(stateDir: string): Db {
  return openDb(join(stateDir, STATE_DB_FILE), { readonly: true });
}
