import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/api/types.js';
import { printJobSummaries, summaryConditionTrue } from '../../../src/cli/print/jobs-listing.js';
import { printJobsTable } from '../../../src/cli/print/jobs-table.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { insertJob, listJobs, listJobSummaries, markJobDeleted } from '../../../src/store/jobs.js';
import { getJobStatus, putJobStatus } from '../../../src/store/status.js';
import { at, condition, job, status } from '../../helpers/builders.js';
import { tempDir } from '../../helpers/e2e.js';

describe('summaryConditionTrue', () => {
  it.each([
    ['Complete=True', 'Complete', true],
    ['SuccessCriteriaMet=True,Complete=True', 'Complete', true],
    ['Complete=False', 'Complete', false],
    ['Suspended=Unknown', 'Suspended', false],
    ['', 'Complete', false],
    ['FailureTarget=True', 'Failed', false],
    ['Failed=True', 'FailureTarget', false],
    ['Complete=False,Complete=True', 'Complete', false], // only the first of a type counts, as in kubectl
    ['Complete=Truer', 'Complete', false],
  ])('%j has %s True: %s', (summary, type, expected) => {
    expect(summaryConditionTrue(summary, type)).toBe(expected);
  });
});

// The plain listing is printed from summaries; -o wide, --sort-by and -w from
// whole Jobs. Both must print the same text for the same store.
describe('the plain listing prints what the table of whole Jobs prints', () => {
  let dir: string;
  let db: Db;
  const now = at(4000);

  beforeAll(() => {
    dir = tempDir('gitjobs-listing-print-');
    db = openDb(join(dir, 'gitjobs.db'));
    const jobs: [Job, Parameters<typeof status>[0] | undefined][] = [
      [job({ name: 'complete' }), { startTime: at(2), completionTime: at(14), succeeded: 1, conditions: [condition('SuccessCriteriaMet', 'r', 'm', at(14)), condition('Complete', 'r', 'm', at(14))] }],
      [job({ name: 'failed', spec: { completions: 3 } }), { startTime: at(1), failed: 7, conditions: [condition('FailureTarget', 'r', 'm', at(9)), condition('Failed', 'r', 'm', at(9))] }],
      [job({ name: 'suspended' }), { conditions: [condition('Suspended', 'r', 'm', at(3))] }],
      [job({ name: 'resumed' }), { startTime: at(100), conditions: [condition('Suspended', 'r', 'm', at(3), 'False')] }],
      [job({ name: 'failure-target' }), { startTime: at(5), conditions: [condition('FailureTarget', 'r', 'm', at(9))] }],
      [job({ name: 'work-queue', spec: { completions: undefined, parallelism: 6 } }), { startTime: at(3000), succeeded: 4, active: 2 }],
      [job({ name: 'one-by-one', spec: { completions: undefined, parallelism: 1 } }), { succeeded: 3 }],
      [job({ name: 'not-yet-synced', creationTimestamp: at(3990) }), undefined],
      [job({ name: 'never-created', creationTimestamp: 0 }), undefined],
      [job({ name: 'a-much-longer-name-than-the-others-widens-its-column', namespace: 'team', labels: { app: 'x', tier: 'batch' } }), { startTime: at(1), succeeded: 1 }],
      [job({ name: 'no-labels', namespace: 'team', labels: {} }), { startTime: at(1) }],
    ];
    for (const [j, s] of jobs) {
      insertJob(db, j);
      if (s !== undefined) putJobStatus(db, j.uid, status(s));
    }
    markJobDeleted(db, 'uid-complete', at(20)); // Complete wins over deletion
    markJobDeleted(db, 'uid-suspended', at(20)); // deletion wins over suspension
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, string | undefined, { showNamespace?: boolean; showLabels?: boolean; noHeaders?: boolean }]>([
    ['one namespace', 'default', {}],
    ['another namespace', 'team', {}],
    ['all namespaces (-A)', undefined, { showNamespace: true }],
    ['--show-labels', undefined, { showNamespace: true, showLabels: true }],
    ['--no-headers', 'default', { noHeaders: true }],
  ])('%s', (_name, namespace, opts) => {
    const whole = listJobs(db, namespace).map((j) => ({ job: j, status: getJobStatus(db, j.uid) }));
    const summaries = listJobSummaries(db, namespace, { labels: opts.showLabels === true });
    const expected = printJobsTable(whole, now, opts);
    expect(printJobSummaries(summaries, now, opts)).toBe(expected);
    expect(expected.split('\n').length).toBe(whole.length + (opts.noHeaders === true ? 1 : 2));
  });

  it('reads a status word per Job', () => {
    const text = printJobSummaries(listJobSummaries(db, 'default'), now);
    const word = (name: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${name} `))?.split(/\s+/)[1];
    expect(['complete', 'failed', 'suspended', 'resumed', 'failure-target', 'not-yet-synced'].map(word)).toEqual([
      'Complete',
      'Failed',
      'Terminating',
      'Running',
      'FailureTarget',
      'Running',
    ]);
  });
});
