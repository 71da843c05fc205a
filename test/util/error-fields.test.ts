import { describe, expect, it } from 'vitest';
import { errorFields, GitjobsError } from '../../src/errors.js';

// What a log line carries about a failure: a full disk is told by its code, however it was wrapped.

describe('the error fields of a log line', () => {
  it('a SQLite error keeps its code', () => {
    const err = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(errorFields(err)).toEqual({ error: 'database or disk is full', code: 'SQLITE_FULL' });
  });

  it('a wrapped system error gives its root cause’s code', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const err = new GitjobsError('Internal', 'cannot check out commit abc: ENOSPC: no space left on device, write', { cause });
    expect(errorFields(err)).toEqual({ error: err.message, code: 'ENOSPC' });
  });

  it('a thrown string has no code', () => {
    expect(errorFields('boom')).toEqual({ error: 'boom' });
  });
});
