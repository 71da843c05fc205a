import { describe, expect, it } from 'vitest';
import { GitjobsError } from '../../../src/errors.js';
import { printCustomColumns, relaxedJsonPath } from '../../../src/cli/print/custom-columns.js';

const items = [
  { metadata: { name: 'pi-5rwd7', labels: { 'job-name': 'pi' } }, status: { phase: 'Succeeded' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
  { metadata: { name: 'pi-x7k2p' }, status: {}, spec: { containers: [{ name: 'a' }] } },
];

describe('printCustomColumns', () => {
  it('prints headers as written and <none> for missing values', () => {
    expect(printCustomColumns('NAME:.metadata.name,Phase:.status.phase', items)).toBe(
      ['NAME       Phase', 'pi-5rwd7   Succeeded', 'pi-x7k2p   <none>', ''].join('\n'),
    );
  });

  it('joins several values with commas and accepts relaxed paths', () => {
    expect(printCustomColumns('C:spec.containers[*].name,L:{.metadata.labels}', items, { noHeaders: true })).toBe(
      ['a,b   map[job-name:pi]', 'a     <none>', ''].join('\n'),
    );
  });

  it('rejects a column without a path', () => {
    expect(() => printCustomColumns('NAME', items)).toThrowError(
      new GitjobsError('Usage', 'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>'),
    );
  });
});

describe('relaxedJsonPath', () => {
  it.each([
    ['a.b', '{.a.b}'],
    ['.a.b', '{.a.b}'],
    ['{a.b}', '{.a.b}'],
    ['{.a.b}', '{.a.b}'],
  ])('%s means %s', (input, expected) => {
    expect(relaxedJsonPath(input)).toBe(expected);
  });
});
