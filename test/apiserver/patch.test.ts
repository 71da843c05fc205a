import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicPatch, createMergePatch } from '../../src/apiserver/patch.js';

const pod = {
  spec: {
    containers: [
      { name: 'a', image: 'one', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] },
      { name: 'b', image: 'two' },
    ],
    volumes: [{ name: 'v', emptyDir: {} }],
    nodeSelector: { disk: 'ssd' },
  },
  metadata: { finalizers: ['f1'] },
};

describe('strategic merge patch', () => {
  it('merges containers, env and volumes by name, as their patch strategy says', () => {
    const out = applyStrategicPatch(pod, {
      spec: {
        containers: [{ name: 'a', image: 'new', env: [{ name: 'Y', value: '3' }, { name: 'Z', value: '4' }] }, { name: 'c', image: 'three' }],
        volumes: [{ name: 'w', emptyDir: {} }],
      },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['a=new', 'b=two', 'c=three']);
    expect(out.spec.containers[0]!.env).toEqual([{ name: 'X', value: '1' }, { name: 'Y', value: '3' }, { name: 'Z', value: '4' }]);
    expect(out.spec.volumes.map((v) => v.name)).toEqual(['v', 'w']);
  });

  it('deletes by $patch: delete, null and $deleteFromPrimitiveList; replaces by $patch: replace; orders by $setElementOrder', () => {
    const out = applyStrategicPatch(pod, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] },
      spec: {
        containers: [{ name: 'b', $patch: 'delete' }],
        nodeSelector: null,
        volumes: [{ $patch: 'replace' }, { name: 'only', emptyDir: {} }],
      },
    }) as { spec: Record<string, unknown>; metadata: { finalizers: string[] } };
    expect((out.spec.containers as { name: string }[]).map((c) => c.name)).toEqual(['a']);
    expect(out.spec.nodeSelector).toBeUndefined();
    expect(out.spec.volumes).toEqual([{ name: 'only', emptyDir: {} }]);
    expect(out.metadata.finalizers).toEqual([]);
    const ordered = applyStrategicPatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }) as typeof pod;
    expect(ordered.spec.containers.map((c) => c.name)).toEqual(['b', 'a']);
  });

  it('replaces a list without a merge key, and leaves the input alone', () => {
    const before = JSON.stringify(pod);
    const out = applyStrategicPatch({ spec: { args: ['a', 'b'] } }, { spec: { args: ['c'] } });
    expect(out).toEqual({ spec: { args: ['c'] } });
    expect(JSON.stringify(pod)).toBe(before);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('adds, removes, replaces, moves, copies and tests', () => {
    const out = applyJsonPatch({ a: 1, list: [1, 2] }, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/a', value: 2 },
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'move', from: '/b', path: '/c' },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/c', value: 2 },
    ]);
    expect(out).toEqual({ a: 2, c: 2, list: [2, 3] });
  });

  it('refuses a failed test or a missing path as a bad request', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/testing value \/a failed/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toThrow(/missing/);
  });
});

describe('merge patch (RFC 7386)', () => {
  it('applies, and creates the patch between two objects', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 } }, { a: { b: null, d: 3 } })).toEqual({ a: { c: 2, d: 3 } });
    const from = { spec: { parallelism: 1, suspend: false }, metadata: { labels: { x: 'y' } } };
    const to = { spec: { parallelism: 2, suspend: false }, metadata: {} };
    expect(createMergePatch(from, to)).toEqual({ spec: { parallelism: 2 }, metadata: { labels: null } });
    expect(applyMergePatch(from, createMergePatch(from, to))).toEqual(to);
  });
});
