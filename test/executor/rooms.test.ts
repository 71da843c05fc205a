import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The executor's rooms, as a newcomer reads them: the pure pod lifecycle needs
// nothing of the node, and no module of the executor imports itself round a circle.

const ROOT = join(import.meta.dirname, '..', '..');
const EXECUTOR = join(ROOT, 'src', 'executor');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a module (type-only ones too), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, normalize(join(dirname(file), s.replace(/\.js$/, '.ts')))));
}

describe('the executor’s rooms', () => {
  it('the pod lifecycle (executor/pod/) imports only the API types, the utilities and itself', () => {
    const outside = files(join(EXECUTOR, 'pod'))
      .flatMap((f) => importsOf(f).map((i) => `${relative(ROOT, f)} → ${i}`))
      .filter((edge) => !/→ src\/(api|util)\/|→ src\/executor\/pod\//.test(edge));
    expect(outside).toEqual([]);
  });

  it('no module of the executor is part of an import circle', () => {
    const graph = new Map(files(EXECUTOR).map((f) => [relative(ROOT, f), importsOf(f)]));
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (m: string, path: string[]): void => {
      if (state.get(m) === 'done') return;
      if (state.get(m) === 'open') {
        circles.push([...path.slice(path.indexOf(m)), m].join(' → '));
        return;
      }
      state.set(m, 'open');
      for (const next of graph.get(m) ?? []) if (graph.has(next)) visit(next, [...path, m]);
      state.set(m, 'done');
    };
    for (const m of graph.keys()) visit(m, []);
    expect(circles).toEqual([]);
  });
});
