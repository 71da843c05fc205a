// The read side of `get jobs` and `get pods -l job-name=x` at scale: what the
// listing reads and how the queries are planned, on real SQLite files.

import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobCondition } from '../../src/api/types.js';
import { migrate, openDb, type Db } from '../../src/store/db.js';
import { insertJob, jobSummariesQuery, listJobSummaries, markJobDeleted } from '../../src/store/jobs.js';
import { insertPod, listPodsWithLabels, podsWithLabelsQuery, releasePods } from '../../src/store/pods.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { conditionSummary, putJobStatus } from '../../src/store/status.js';
import { at, condition, job, pod, status } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = tempDir('gitjobs-listing-');
  path = join(dir, 'gitjobs.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withDb<T>(f: (db: Db) => T): T {
  const db = openDb(path);
  try {
    return f(db);
  } finally {
    db.close();
  }
}

function plan(db: Db, query: { sql: string; params: unknown[] }): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((r) => r.detail);
}

const complete = [condition('SuccessCriteriaMet', 'CompletionsReached', 'done', at(5)), condition('Complete', 'CompletionsReached', 'done', at(5))];

describe('condition summary', () => {
  it.each<[string, JobCondition[], string]>([
    ['no conditions', [], ''],
    ['complete, in condition order', complete, 'SuccessCriteriaMet=True,Complete=True'],
    ['a False condition keeps its status', [condition('Suspended', 'JobResumed', 'resumed', at(1), 'False')], 'Suspended=False'],
  ])('%s', (_name, conditions, summary) => {
    expect(conditionSummary(conditions)).toBe(summary);
  });

  it('migration 5 backfills the summary of every existing status, in condition order', () => {
    const raw = new Database(path);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 4));
    insertJob(raw, job({ name: 'done' }));
    insertJob(raw, job({ name: 'fresh' }));
    insertJob(raw, job({ name: 'new' }));
    // A status written by a gitjobs without the summary column.
    raw.prepare('INSERT INTO job_status (job_uid, succeeded) VALUES (?, 1), (?, 0)').run('uid-done', 'uid-fresh');
    const insert = raw.prepare('INSERT INTO job_conditions VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    // Inserted out of order: seq decides.
    insert.run('uid-done', 1, 'Complete', 'True', 'CompletionsReached', '', 5, 5);
    insert.run('uid-done', 0, 'SuccessCriteriaMet', 'True', 'CompletionsReached', '', 5, 5);
    raw.close();

    withDb((db) => {
      const rows = db.prepare('SELECT job_uid, condition_summary FROM job_status ORDER BY job_uid').all();
      expect(rows).toEqual([
        { job_uid: 'uid-done', condition_summary: 'SuccessCriteriaMet=True,Complete=True' },
        { job_uid: 'uid-fresh', condition_summary: '' },
      ]);
      expect(listJobSummaries(db, 'default').map((j) => [j.name, j.conditions, j.succeeded])).toEqual([
        ['done', 'SuccessCriteriaMet=True,Complete=True', 1],
        ['fresh', '', 0],
        ['new', '', 0],
      ]);
    });
  });

  it('each status write rewrites the summary with the conditions, so a listing never reads a stale one', () => {
    withDb((db) => {
      insertJob(db, job({ name: 'pi' }));
      putJobStatus(db, 'uid-pi', status({ conditions: [condition('Suspended', 'JobSuspended', 'suspended', at(1))] }));
      expect(listJobSummaries(db, 'default')[0]!.conditions).toBe('Suspended=True');
      putJobStatus(db, 'uid-pi', status({ succeeded: 1, conditions: complete }));
      expect(listJobSummaries(db, 'default')[0]).toMatchObject({ conditions: 'SuccessCriteriaMet=True,Complete=True', succeeded: 1 });
    });
  });
});

describe('Job summaries', () => {
  it('carry what get jobs prints, in namespace and name order, with labels only when asked', () => {
    withDb((db) => {
      insertJob(db, job({ name: 'b', namespace: 'team', creationTimestamp: at(2), spec: { completions: undefined, parallelism: 3 } }));
      insertJob(db, job({ name: 'a', creationTimestamp: at(1) }));
      putJobStatus(db, 'uid-a', status({ startTime: at(3), completionTime: at(9), succeeded: 1, conditions: complete }));
      markJobDeleted(db, 'uid-b', at(10));
      const all = listJobSummaries(db);
      expect(all).toEqual([
        {
          namespace: 'default', name: 'a', labels: {}, creationTimestamp: at(1), deleting: false, completions: 1, parallelism: 1,
          startTime: at(3), completionTime: at(9), succeeded: 1, conditions: 'SuccessCriteriaMet=True,Complete=True',
        },
        {
          namespace: 'team', name: 'b', labels: {}, creationTimestamp: at(2), deleting: true, completions: undefined, parallelism: 3,
          startTime: undefined, completionTime: undefined, succeeded: 0, conditions: '',
        },
      ]);
      expect(listJobSummaries(db, 'team', { labels: true }).map((j) => j.labels)).toEqual([job({ name: 'b', uid: 'uid-b' }).labels]);
    });
  });

  it('are read in one pass over the listing index: no query per Job', () => {
    withDb((db) => {
      for (const labels of [false, true]) {
        for (const namespace of [undefined, 'default']) {
          const detail = plan(db, jobSummariesQuery(namespace, labels));
          expect(detail[0]).toMatch(/^(SCAN|SEARCH) j USING COVERING INDEX jobs_listing/);
          expect(detail.join('\n')).not.toMatch(/CORRELATED|TEMP B-TREE|SCAN s/);
        }
      }
    });
  });
});

describe('pods by label', () => {
  function seed(db: Db): void {
    for (let i = 0; i < 20; i++) {
      const owner = job({ name: `job-${i}` });
      for (let p = 0; p < 3; p++) insertPod(db, pod({ job: owner, uid: `j${i}-p${p}`, name: `job-${i}-p${p}` }), undefined, at(i));
    }
  }

  it.each([
    ['job-name', { 'job-name': 'job-7' }],
    ['batch.kubernetes.io/job-name', { 'batch.kubernetes.io/job-name': 'job-7' }],
    ['job-name with another requirement', { 'job-name': 'job-7', 'controller-uid': 'uid-job-7' }],
  ])('a selector on %s looks the pods up by label, without reading every pod', (_name, equal) => {
    withDb((db) => {
      seed(db);
      for (const namespace of [undefined, 'default']) {
        const detail = plan(db, podsWithLabelsQuery(namespace, equal));
        expect(detail[0]).toMatch(/^SEARCH p USING INDEX pods_by(_batch)?_job_name \(<expr>=\?\)/);
        expect(detail.join('\n')).not.toMatch(/SCAN p/);
        expect(listPodsWithLabels(db, namespace, equal).map((p) => p.name)).toEqual(['job-7-p0', 'job-7-p1', 'job-7-p2']);
      }
    });
  });

  it('the label decides, not the owner: an orphan keeps its label, a manual label on another Job counts', () => {
    withDb((db) => {
      seed(db);
      releasePods(db, 'uid-job-3'); // `delete --cascade=orphan`
      const impostor = job({ name: 'other' });
      impostor.spec.template.metadata.labels = { ...impostor.spec.template.metadata.labels, 'job-name': 'job-3' };
      insertPod(db, pod({ job: impostor, uid: 'x', name: 'other-x' }), undefined, at(50));
      expect(listPodsWithLabels(db, 'default', { 'job-name': 'job-3' }).map((p) => [p.name, p.owner?.uid])).toEqual([
        ['job-3-p0', undefined],
        ['job-3-p1', undefined],
        ['job-3-p2', undefined],
        ['other-x', 'uid-other'],
      ]);
    });
  });

  it('a label without an index is still filtered in SQL, and only in the namespace asked', () => {
    withDb((db) => {
      seed(db);
      insertPod(db, pod({ job: job({ name: 'job-1', namespace: 'team' }), uid: 't', name: 'team-p' }), undefined, at(60));
      expect(listPodsWithLabels(db, 'team', { 'controller-uid': 'uid-job-1' }).map((p) => p.name)).toEqual(['team-p']);
      expect(listPodsWithLabels(db, undefined, { 'controller-uid': 'uid-job-1' }).map((p) => p.name)).toEqual([
        'job-1-p0',
        'job-1-p1',
        'job-1-p2',
        'team-p',
      ]);
    });
  });
});
