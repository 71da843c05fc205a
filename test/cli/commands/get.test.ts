// `get` against a state the daemon of this version has not migrated yet (the
// CLI only reads): the same output as on a migrated one, through the slow paths.

import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCommand } from '../../../src/cli/commands/get.js';
import type { Io } from '../../../src/cli/io.js';
import { migrate, openDb } from '../../../src/store/db.js';
import { insertJob, markJobDeleted } from '../../../src/store/jobs.js';
import { insertPod } from '../../../src/store/pods.js';
import { LISTING_SCHEMA_VERSION, MIGRATIONS } from '../../../src/store/schema.js';
import { putJobStatus } from '../../../src/store/status.js';
import { at, condition, job, pod, status } from '../../helpers/builders.js';
import { tempDir } from '../../helpers/e2e.js';

let dir: string;
const older = (): string => join(dir, 'older');
const current = (): string => join(dir, 'current');

beforeAll(() => {
  dir = tempDir('gitjobs-get-');
  mkdirSync(older());
  mkdirSync(current());
  const raw = new Database(join(older(), 'gitjobs.db'));
  migrate(raw, MIGRATIONS.filter((m) => m.version < LISTING_SCHEMA_VERSION));
  const jobs = [job({ name: 'done', creationTimestamp: at(1) }), job({ name: 'going', creationTimestamp: at(2) }), job({ name: 'queue', namespace: 'team', spec: { completions: undefined, parallelism: 2 } })];
  for (const j of jobs) insertJob(raw, j);
  // What a daemon of the previous version wrote: no condition summary column yet.
  const done = status({ startTime: at(3), completionTime: at(40), succeeded: 1, conditions: [condition('SuccessCriteriaMet', 'r', 'm', at(40)), condition('Complete', 'r', 'm', at(40))] });
  raw.prepare('INSERT INTO job_status (job_uid, start_time, completion_time, succeeded, finished) VALUES (?, ?, ?, ?, 1)').run('uid-done', done.startTime, done.completionTime, 1);
  done.conditions.forEach((c, i) =>
    raw.prepare('INSERT INTO job_conditions VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('uid-done', i, c.type, c.status, c.reason, c.message, c.lastProbeTime, c.lastTransitionTime),
  );
  markJobDeleted(raw, 'uid-going', at(50));
  for (const [i, j] of jobs.entries()) insertPod(raw, pod({ job: j, uid: `p${i}`, name: `${j.name}-p`, phase: 'Succeeded', finishedAt: at(9) }), undefined, at(9));
  raw.close();
  // The same state, migrated by the daemon; its next status write keeps the summary.
  copyFileSync(join(older(), 'gitjobs.db'), join(current(), 'gitjobs.db'));
  const db = openDb(join(current(), 'gitjobs.db'));
  putJobStatus(db, 'uid-done', done);
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function get(state: string, ...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const io: Io = { out: (s) => (out += s), err: (s) => (err += s) };
  const code = await getCommand([...args, '--state', state], io);
  return { out, err, code };
}

describe('get on a state from the previous schema', () => {
  it.each([
    [['jobs']],
    [['jobs', '-A']],
    [['jobs', '-A', '--show-labels', '-l', 'job-name!=queue']],
    [['jobs', '-n', 'nowhere']],
    [['pods', '-l', 'job-name=done']],
    [['pods', '-A', '-l', 'batch.kubernetes.io/job-name=queue']],
  ])('get %j prints what it prints once migrated', async (args) => {
    const before = await get(older(), ...args);
    const after = await get(current(), ...args);
    expect(before).toEqual(after);
    expect(after.code).toBe(0);
    expect(after.out + after.err).not.toBe('');
  });

  it('the listing shows the status words from the conditions either way', async () => {
    const { out } = await get(older(), 'jobs');
    expect(out.split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(['NAME STATUS COMPLETIONS', 'done Complete 1/1', 'going Terminating 0/1', '']);
  });
});
