import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/index.js';

const jobDoc = (name: string, indent = ''): string =>
  [
    'apiVersion: batch/v1',
    'kind: Job',
    `metadata: {name: ${name}}`,
    'spec:',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers: [{name: c, image: busybox, command: ["true"]}]',
  ]
    .map((l, i) => (i === 0 ? l : indent + l))
    .join('\n');

describe('multi-document files', () => {
  it('reads every document and numbers them', () => {
    const r = parseManifest(`${jobDoc('a')}\n---\n${jobDoc('b')}\n`, 'two.yaml');
    expect(r.issues).toEqual([]);
    expect(r.jobs.map((j) => [j.name, j.document, j.line])).toEqual([
      ['a', 0, 1],
      ['b', 1, 10],
    ]);
  });

  it('a bad document between two good ones hides neither', () => {
    const text = `${jobDoc('a')}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: bad}\nspec: {parallelism: -1}\n---\n${jobDoc('c')}\n`;
    const r = parseManifest(text, 'mixed.yaml');
    expect(r.jobs.map((j) => j.name)).toEqual(['a', 'c']);
    expect(r.issues.every((i) => i.document === 1)).toBe(true);
    expect(r.issues).toContainEqual(expect.objectContaining({ field: 'spec.parallelism', line: 13 }));
  });

  it('a syntax error in one document leaves the others', () => {
    const r = parseManifest(`${jobDoc('a')}\n---\nkey: [unclosed\n---\n${jobDoc('c')}\n`, 'f.yaml');
    expect(r.jobs.map((j) => j.name)).toEqual(['a', 'c']);
    expect(r.issues[0]).toMatchObject({ code: 'YamlSyntax', document: 1 });
  });

  it('skips empty documents silently', () => {
    const r = parseManifest(`---\n# nothing here\n---\n${jobDoc('a')}\n---\n`, 'f.yaml');
    expect(r.issues).toEqual([]);
    expect(r.jobs).toHaveLength(1);
  });

  it('an empty file has no jobs and no issues', () => {
    expect(parseManifest('', 'empty.yaml')).toEqual({ jobs: [], issues: [] });
  });

  it('two documents defining the same Job are both refused', () => {
    const r = parseManifest(`${jobDoc('same')}\n---\n${jobDoc('same')}\n`, 'dup.yaml');
    expect(r.jobs).toEqual([]);
    expect(r.issues).toMatchObject([
      { code: 'DuplicateJob', document: 0, line: 3, column: 18, field: 'metadata.name', message: 'Duplicate value: "default/same": also defined at dup.yaml:12; neither is applied' },
      { code: 'DuplicateJob', document: 1, line: 12 },
    ]);
  });

  it('the same name in two namespaces is two Jobs', () => {
    const r = parseManifest(`${jobDoc('same')}\n---\n${jobDoc('same').replace('{name: same}', '{name: same, namespace: other}')}\n`, 'ns.yaml');
    expect(r.issues).toEqual([]);
    expect(r.jobs.map((j) => `${j.namespace}/${j.name}`)).toEqual(['default/same', 'other/same']);
  });
});

describe('kind: List', () => {
  const list = (items: string[]): string => `apiVersion: v1\nkind: List\nitems:\n${items.map((i) => `- ${jobDoc(i, '  ')}`).join('\n')}\n`;

  it('each item is a document of its own', () => {
    const r = parseManifest(list(['a', 'b']), 'list.yaml');
    expect(r.issues).toEqual([]);
    expect(r.jobs.map((j) => [j.name, j.document, j.line, j.column])).toEqual([
      ['a', 0, 4, 3],
      ['b', 1, 12, 3],
    ]);
  });

  it('issues in an item carry paths relative to the item and its own position', () => {
    const r = parseManifest(list(['a', 'Bad_Name']), 'list.yaml');
    expect(r.jobs.map((j) => j.name)).toEqual(['a']);
    expect(r.issues[0]).toMatchObject({ document: 1, field: 'metadata.name', line: 14, column: 20 });
  });

  it('documents after a List are numbered after its items', () => {
    const r = parseManifest(`${list(['a', 'b'])}---\n${jobDoc('c')}\n`, 'list.yaml');
    expect(r.jobs.map((j) => j.document)).toEqual([0, 1, 2]);
  });

  it('a List item that is not a Job is refused alone', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}\n- ${jobDoc('a', '  ')}\n`;
    const r = parseManifest(text, 'list.yaml');
    expect(r.jobs.map((j) => j.name)).toEqual(['a']);
    expect(r.issues).toMatchObject([{ code: 'UnsupportedKind', document: 0, line: 4, field: 'kind', message: expect.stringContaining('"ConfigMap"') }]);
  });

  it('a List with an unknown field', () => {
    const r = parseManifest('apiVersion: v1\nkind: List\nitem: []\n', 'list.yaml');
    expect(r.issues).toContainEqual(
      expect.objectContaining({ code: 'UnknownField', field: 'item', line: 3, message: 'unknown field "item" (did you mean "items"?)' }),
    );
    expect(r.issues).toContainEqual(expect.objectContaining({ code: 'FieldRequired', field: 'items' }));
  });
});
