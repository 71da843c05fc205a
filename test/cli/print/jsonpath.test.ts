import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GitjobsError } from '../../../src/errors.js';
import { executeJsonPath, parseJsonPath } from '../../../src/cli/print/jsonpath.js';

const pods = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { metadata: { name: 'pi-5rwd7', labels: { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi' } }, status: { phase: 'Succeeded', restarts: 0 } },
    { metadata: { name: 'pi-x7k2p', labels: { 'job-name': 'pi' } }, status: { phase: 'Running', restarts: 2 } },
    { metadata: { name: 'other-abcde', labels: {} }, status: { phase: 'Failed', restarts: 1, succeeded: 1 } },
  ],
  metadata: { resourceVersion: '' },
};

describe('executeJsonPath', () => {
  it.each([
    ['all names joined by a space', '{.items[*].metadata.name}', 'pi-5rwd7 pi-x7k2p other-abcde'],
    ['recursive descent', '{.items..metadata.name}', 'pi-5rwd7 pi-x7k2p other-abcde'],
    ['one index', '{.items[0].status.phase}', 'Succeeded'],
    ['negative index', '{.items[-1].metadata.name}', 'other-abcde'],
    ['slice from the end', '{.items[-1:].metadata.name}', 'other-abcde'],
    ['slice with step', '{.items[0:3:2].metadata.name}', 'pi-5rwd7 other-abcde'],
    ['union of indexes', '{.items[0,2].metadata.name}', 'pi-5rwd7 other-abcde'],
    ['range with literal newlines', '{range .items[*]}{.metadata.name}{"\\n"}{end}', 'pi-5rwd7\npi-x7k2p\nother-abcde\n'],
    ['range with tabs and text after end', '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}done', 'pi-5rwd7\tSucceeded\npi-x7k2p\tRunning\nother-abcde\tFailed\ndone'],
    ['filter on equality', '{.items[?(@.status.phase=="Running")].metadata.name}', 'pi-x7k2p'],
    ['filter on inequality', "{.items[?(@.status.phase!='Running')].metadata.name}", 'pi-5rwd7 other-abcde'],
    ['filter on numbers', '{.items[?(@.status.restarts>=1)].metadata.name}', 'pi-x7k2p other-abcde'],
    ['filter on existence', '{.items[?(@.status.succeeded)].metadata.name}', 'other-abcde'],
    ['quoted key', "{.items[0].metadata.labels['job-name']}", 'pi'],
    ['dashed key', '{.items[1].metadata.labels.job-name}', 'pi'],
    ['escaped dots in a key', '{.items[0].metadata.labels.batch\\.kubernetes\\.io/job-name}', 'pi'],
    ['maps print as compact JSON', '{.items[1].metadata.labels}', '{"job-name":"pi"}'],
    ['lists print as compact JSON', '{.items[*].status.restarts}', '0 2 1'],
    ['text around actions', 'kind={.kind} rv="{.metadata.resourceVersion}"', 'kind=List rv=""'],
    ['root and current object markers', '{$.kind}/{@.apiVersion}', 'List/v1'],
    ['missing keys print nothing', '{.items[0].spec.nodeName}', ''],
    ['wildcard over a map in key order', '{.items[0].metadata.labels.*}', 'pi pi'],
  ])('%s', (_name, template, expected) => {
    expect(executeJsonPath(template, pods)).toBe(expected);
  });

  it('fails on missing keys when missing keys are not allowed', () => {
    expect(() => executeJsonPath('{.items[0].spec}', pods, { allowMissingKeys: false })).toThrowError(
      'error executing jsonpath "{.items[0].spec}": Error executing template: spec is not found',
    );
  });

  it('reports out-of-range indexes', () => {
    expect(() => executeJsonPath('{.items[5]}', pods)).toThrowError('array index out of bounds: index 5, length 3');
  });

  it('rejects {end} outside a range', () => {
    expect(() => executeJsonPath('{end}', pods)).toThrowError('not in range, nothing to end');
  });
});

describe('parseJsonPath', () => {
  it.each([
    ['{.items[*]', 'unclosed action'],
    ['{.items[0}', 'unterminated array'],
    ['{.items[?(@.a=="x"}', 'unterminated filter'],
    ['{"abc}', 'unterminated quoted string'],
    ['{#}', "unrecognized character in action: U+0023 '#'"],
    ['{.items[x]}', 'invalid array index x'],
    ['{..a..b}', ''],
  ])('%s', (template, message) => {
    if (message === '') {
      expect(() => parseJsonPath(template)).not.toThrow();
      return;
    }
    try {
      parseJsonPath(template);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GitjobsError);
      expect((err as GitjobsError).code).toBe('Usage');
      expect((err as GitjobsError).message).toBe(`error parsing jsonpath ${template}, ${message}`);
    }
  });
});

describe('jsonpath properties', () => {
  const key = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,8}$/).filter((k) => k !== 'true' && k !== 'false');
  const scalar = fc.oneof(fc.string().filter((s) => !s.includes('\u0000')), fc.integer(), fc.boolean());

  it('{.a.b...} returns the value found by walking the keys', () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 5 }), scalar, (path, leaf) => {
        let obj: unknown = leaf;
        for (const k of [...path].reverse()) obj = { [k]: obj, sibling: 'x' };
        const expected = typeof leaf === 'string' ? leaf : String(leaf);
        expect(executeJsonPath(`{.${path.join('.')}}`, obj)).toBe(expected);
      }),
    );
  });

  it('never throws anything but a GitjobsError on arbitrary templates', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (template) => {
        try {
          executeJsonPath(template, pods);
        } catch (err) {
          expect(err).toBeInstanceOf(GitjobsError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a GitjobsError on templates built from jsonpath characters', () => {
    const piece = fc.constantFrom('{', '}', '.', '..', '[', ']', '*', '?(', ')', '@', '$', '"', "'", 'a', 'items', '0', '-1', ':', ',', '==', ' ', 'range', 'end', '\\');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 15 }), (parts) => {
        try {
          executeJsonPath(parts.join(''), pods);
        } catch (err) {
          expect(err).toBeInstanceOf(GitjobsError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
