import { describe, expect, it } from 'vitest';
import { judge, parseWaitFor, type Observed } from '../../../src/cli/commands/wait.js';
import { GitjobsError } from '../../../src/errors.js';

const job = (...conditions: [type: string, status: string, reason?: string][]): Observed => ({
  conditions: conditions.map(([type, status, reason]) => (reason === undefined ? { type, status } : { type, status, reason })),
});

describe('wait --for', () => {
  it.each([
    ['condition=complete', { kind: 'condition', type: 'complete', status: 'True' }],
    ['condition=Suspended=false', { kind: 'condition', type: 'Suspended', status: 'false' }],
    ['delete', { kind: 'delete' }],
    ['finished', { kind: 'finished' }],
  ])('%s is understood', (text, expected) => {
    expect(parseWaitFor(text)).toEqual(expected);
  });

  it('an unknown form is a usage error', () => {
    expect(() => parseWaitFor('ready')).toThrow(GitjobsError);
    expect(() => parseWaitFor('ready')).toThrow(/unrecognized condition: "ready"/);
  });

  it.each([
    { name: 'complete matches the Complete condition, case-insensitively', for: 'condition=complete', state: job(['Complete', 'True']), done: true, exit: 0, text: 'job.batch/pi condition met' },
    { name: 'complete keeps waiting on a failed Job, as kubectl', for: 'condition=complete', state: job(['Failed', 'True']), done: false },
    { name: 'a condition with status False is not met', for: 'condition=Suspended', state: job(['Suspended', 'False']), done: false },
    { name: 'an explicit =false status is met by a resumed Job', for: 'condition=Suspended=false', state: job(['Suspended', 'False']), done: true, exit: 0 },
    { name: 'a Job without status has no condition yet', for: 'condition=failed', state: job(), done: false },
    { name: 'finished on Complete exits 0', for: 'finished', state: job(['Complete', 'True', 'CompletionsReached']), done: true, exit: 0, text: 'job.batch/pi finished: Complete' },
    {
      name: 'finished on Failed exits 1 and says why',
      for: 'finished',
      state: job(['FailureTarget', 'True'], ['Failed', 'True', 'BackoffLimitExceeded']),
      done: true,
      exit: 1,
      text: 'job.batch/pi finished: Failed (BackoffLimitExceeded)',
    },
    { name: 'finished keeps waiting on a running Job', for: 'finished', state: job(['Suspended', 'False']), done: false },
    { name: 'delete keeps waiting while the object exists', for: 'delete', state: job(), done: false },
    { name: 'delete is met once it is gone', for: 'delete', state: undefined, done: true, exit: 0, text: 'job.batch/pi condition met' },
  ])('$name', (c) => {
    const v = judge(parseWaitFor(c.for), 'job.batch/pi', c.state);
    expect(v.done).toBe(c.done);
    if (v.done) {
      expect(v.exitCode).toBe(c.exit);
      if (c.text !== undefined) expect(v.text).toBe(c.text);
    }
  });
});
