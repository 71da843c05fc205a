import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError, mergePatchBetween } from '../../src/api/json-patch.js';

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1', 'x/y': '2' } }, spec: { list: [1, 2, 3], n: 1 } };

  it('applies add, remove, replace, move, copy and test in order, leaving the input alone', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/n', value: 1 },
      { op: 'replace', path: '/spec/n', value: 2 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'remove', path: '/metadata/labels/x~1y' },
      { op: 'copy', from: '/spec/n', path: '/spec/m' },
      { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/b' },
    ]);
    expect(out).toEqual({ metadata: { labels: { b: '1' } }, spec: { list: [0, 1, 2, 3, 4], n: 2, m: 2 } });
    expect(doc.spec.n).toBe(1);
  });

  it('refuses a missing path, a failed test and a malformed patch', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/spec/nope', value: 1 }])).toThrow(JsonPatchError);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/n', value: 2 }])).toThrow(/test failed/);
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(/list of operations/);
    expect(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/list/9', value: 1 }])).toThrow(/out of range/);
  });
});

describe('mergePatchBetween (RFC 7386)', () => {
  it('gives the changed keys, null for removed ones, arrays whole', () => {
    expect(mergePatchBetween({ a: 1, b: { c: 1, d: 2 }, e: [1], f: 1 }, { a: 1, b: { c: 2, d: 2 }, e: [1, 2], g: 1 })).toEqual({
      f: null,
      b: { c: 2 },
      e: [1, 2],
      g: 1,
    });
    expect(mergePatchBetween({ a: 1 }, { a: 1 })).toEqual({});
  });
});
