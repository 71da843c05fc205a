import { describe, expect, it } from 'vitest';
import { sourceObjectName } from '../../src/api/source-ref.js';

describe('sourceObjectName', () => {
  it.each([
    ['/srv/jobs', 'jobs'],
    ['/srv/jobs/', 'jobs'],
    ['https://git.example.com/team/Batch_Jobs.git', 'batch-jobs'],
    ['file:///repos/nightly.git?ref=x', 'nightly'],
    ['/', 'source'],
  ])('%s → %s', (url, name) => {
    expect(sourceObjectName(url)).toBe(name);
  });
});
