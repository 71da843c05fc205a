import type BetterSqlite3 from 'better-sqlite3';

/**
 * Fault injection for the reliability tests, never active unless the variable
 * is set. `GITJOBS_TEST_CRASH_AT=<insert|update|delete>:<table>[:<n>]` makes the
 * daemon SIGKILL itself on the n-th (default first) such row change, from
 * inside the writing transaction, so a test can check what a crash at that
 * exact point leaves behind. It works through a TEMP trigger, which exists only
 * on this connection and is never written to the database file.
 */
export const CRASH_AT_ENV = 'GITJOBS_TEST_CRASH_AT';

export function installTestSeams(db: BetterSqlite3.Database, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env[CRASH_AT_ENV];
  if (spec === undefined || spec === '') return;
  const m = /^(insert|update|delete):([a-z_]+)(?::(\d+))?$/.exec(spec);
  if (m === null) throw new Error(`${CRASH_AT_ENV}=${spec}: expected <insert|update|delete>:<table>[:<n>]`);
  const [, op, table, nth] = m;
  const at = Number(nth ?? '1');
  let seen = 0;
  db.function('gitjobs_test_crash', () => {
    if (++seen >= at) process.kill(process.pid, 'SIGKILL');
    return null;
  });
  db.exec(`CREATE TEMP TRIGGER gitjobs_test_crash AFTER ${op!.toUpperCase()} ON main.${table} BEGIN SELECT gitjobs_test_crash(); END`);
}
