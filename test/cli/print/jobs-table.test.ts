import { describe, expect, it } from 'vitest';
import type { JobCondition } from '../../../src/api/types.js';
import {
  jobCompletionsColumn,
  jobDurationColumn,
  jobStatusColumn,
  printJobsTable,
} from '../../../src/cli/print/jobs-table.js';
import { completedStatus, piJob, sec, status, T0, UID } from './fixtures.js';

const cond = (type: JobCondition['type'], s: JobCondition['status'] = 'True'): JobCondition => ({
  type,
  status: s,
  reason: '',
  message: '',
  lastProbeTime: T0,
  lastTransitionTime: T0,
});

describe('STATUS column', () => {
  it.each([
    ['no conditions', [cond('SuccessCriteriaMet', 'False')].slice(1), false, 'Running'],
    ['complete', [cond('SuccessCriteriaMet'), cond('Complete')], false, 'Complete'],
    ['complete wins over deletion', [cond('Complete')], true, 'Complete'],
    ['failed', [cond('FailureTarget'), cond('Failed')], false, 'Failed'],
    ['being deleted', [], true, 'Terminating'],
    ['deletion wins over suspension', [cond('Suspended')], true, 'Terminating'],
    ['suspended', [cond('Suspended')], false, 'Suspended'],
    ['resumed (Suspended=False)', [cond('Suspended', 'False')], false, 'Running'],
    ['failure target only', [cond('FailureTarget')], false, 'FailureTarget'],
    ['success criteria met only', [cond('SuccessCriteriaMet')], false, 'Running'],
    ['only the first condition of a type counts', [cond('Complete', 'False'), cond('Complete')], false, 'Running'],
  ])('%s', (_name, conditions, deleting, expected) => {
    const job = piJob(deleting ? { deletionTimestamp: T0 + sec(5) } : {});
    expect(jobStatusColumn(job, status({ conditions }))).toBe(expected);
  });
});

describe('COMPLETIONS column', () => {
  it.each([
    ['fixed completions', { completions: 3 }, 2, '2/3'],
    ['work queue with parallelism', { completions: undefined, parallelism: 6 }, 4, '4/1 of 6'],
    ['work queue without parallelism', { completions: undefined, parallelism: 1 }, 0, '0/1'],
    ['more succeeded than one in a work queue', { completions: undefined, parallelism: 1 }, 3, '3/1'],
  ])('%s', (_name, spec, succeeded, expected) => {
    expect(jobCompletionsColumn(piJob({}, spec), status({ succeeded }))).toBe(expected);
  });

  it('counts zero succeeded before the first sync', () => {
    expect(jobCompletionsColumn(piJob(), undefined)).toBe('0/1');
  });
});

describe('DURATION column', () => {
  it('is empty before the Job started', () => {
    expect(jobDurationColumn(status(), T0 + sec(10))).toBe('');
  });
  it('keeps counting while the Job runs', () => {
    expect(jobDurationColumn(status({ startTime: T0 }), T0 + sec(5))).toBe('5s');
  });
  it('is frozen at completion', () => {
    expect(jobDurationColumn(completedStatus(T0, T0 + sec(65)), T0 + sec(3600))).toBe('65s');
  });
  it('keeps counting for a failed Job, which has no completion time', () => {
    expect(jobDurationColumn(status({ startTime: T0, conditions: [cond('Failed')] }), T0 + sec(125))).toBe('2m5s');
  });
});

describe('printJobsTable', () => {
  const now = T0 + sec(30);
  const rows = [
    { job: piJob(), status: completedStatus(T0 + sec(2), T0 + sec(14)) },
    { job: piJob({ name: 'busybox-work-queue', namespace: 'batch' }, { completions: undefined, parallelism: 6 }), status: status({ startTime: T0 + sec(25), succeeded: 4, active: 2 }) },
  ];

  it('prints kubectl get jobs', () => {
    expect(printJobsTable(rows, now)).toBe(
      [
        'NAME                 STATUS     COMPLETIONS   DURATION   AGE',
        'pi                   Complete   1/1           12s        30s',
        'busybox-work-queue   Running    4/1 of 6      5s         30s',
        '',
      ].join('\n'),
    );
  });

  it('matches the single-job layout kubectl prints', () => {
    expect(printJobsTable(rows.slice(0, 1), now)).toBe(
      'NAME   STATUS     COMPLETIONS   DURATION   AGE\npi     Complete   1/1           12s        30s\n',
    );
  });

  it('omits headers with --no-headers', () => {
    expect(printJobsTable(rows.slice(0, 1), now, { noHeaders: true })).toBe('pi    Complete   1/1   12s   30s\n');
  });

  it('leads with NAMESPACE for -A', () => {
    expect(printJobsTable(rows, now, { showNamespace: true })).toBe(
      [
        'NAMESPACE   NAME                 STATUS     COMPLETIONS   DURATION   AGE',
        'default     pi                   Complete   1/1           12s        30s',
        'batch       busybox-work-queue   Running    4/1 of 6      5s         30s',
        '',
      ].join('\n'),
    );
  });

  it('adds containers, images and selector with -o wide', () => {
    expect(printJobsTable(rows.slice(0, 1), now, { wide: true })).toBe(
      [
        'NAME   STATUS     COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES        SELECTOR',
        `pi     Complete   1/1           12s        30s   pi           perl:5.34.0   batch.kubernetes.io/controller-uid=${UID}`,
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for no Jobs, leaving the message to the caller', () => {
    expect(printJobsTable([], now)).toBe('');
  });
});
