import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/index.js';

const good = `apiVersion: batch/v1
kind: Job
metadata: {name: good}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
`;

function refuse(text: string) {
  let result: ReturnType<typeof parseManifest> | undefined;
  expect(() => {
    result = parseManifest(text, 'evil.yaml');
  }).not.toThrow();
  if (result === undefined) throw new Error('unreachable');
  expect(result.jobs).toEqual([]);
  return result.issues;
}

describe('hostile input is refused with an issue, never a throw or a hang', () => {
  it('a file over 1 MiB', () => {
    const issues = refuse(`${good}# ${'x'.repeat(1024 * 1024)}\n`);
    expect(issues).toMatchObject([{ code: 'FileTooLarge', line: 1, column: 1, message: expect.stringContaining('at most 1048576 bytes') }]);
  });

  it('10,000 nested flow sequences', () => {
    const issues = refuse('['.repeat(10_000));
    expect(issues).toMatchObject([{ code: 'TooDeep', line: 1, column: 65, message: 'nesting is deeper than 64 levels' }]);
  });

  it('deep flow nesting twice in a row (the parser must never see it)', () => {
    refuse(`a: ${'{b: '.repeat(5000)}1${'}'.repeat(5000)}`);
    refuse(`a: ${'[ '.repeat(5000)}`);
  });

  it('deep flow nesting hidden after a quote inside a plain scalar', () => {
    const issues = refuse(`a: it's\nb: ${'['.repeat(2000)}`);
    expect(issues[0]?.code).toBe('TooDeep');
  });

  it('deep flow nesting that the character scan misreads as quoted is caught on the token tree', () => {
    // Line 2 continues a plain scalar; a scan that takes its quote for a string start skips the brackets.
    const issues = refuse(`a: foo\n  'x\nb: ${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    expect(issues).toMatchObject([{ code: 'TooDeep', line: 3 }]);
  });

  it('deep block nesting', () => {
    let text = '';
    for (let i = 0; i < 1300; i++) text += `${' '.repeat(i)}-\n`;
    const issues = refuse(text);
    expect(issues).toMatchObject([{ code: 'TooDeep', line: 65 }]);
  });

  it('a billion laughs', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const issues = refuse(`${lines.join('\n')}\n`);
    expect(issues).toMatchObject([{ code: 'TooManyAliases', message: 'more than 100 alias resolutions' }]);
  });

  it('a key named __proto__ cannot reach object prototypes', () => {
    const issues = refuse(`${good.replace('metadata: {name: good}', 'metadata: {name: good, __proto__: {polluted: yes}}')}`);
    expect(issues).toMatchObject([{ code: 'UnsafeKey', line: 3, column: 24, message: 'the key "__proto__" is not allowed' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a non-string key', () => {
    const issues = refuse(good.replace('spec:\n  template', 'spec:\n  1: x\n  template'));
    expect(issues).toMatchObject([{ code: 'NonStringKey', line: 5, column: 3, message: 'map keys must be strings, found 1' }]);
  });

  it('a duplicate key', () => {
    const issues = refuse(good.replace('metadata: {name: good}', 'metadata: {name: good}\nmetadata: {name: evil}'));
    expect(issues).toMatchObject([{ code: 'DuplicateKey', line: 4, column: 1, message: 'Map keys must be unique' }]);
  });

  it('a YAML syntax error', () => {
    const issues = refuse('apiVersion: batch/v1\nkind: Job\nmetadata: {name: x\n');
    // The parser notices at the end of the file that the mapping was never closed.
    expect(issues[0]).toMatchObject({ code: 'YamlSyntax', line: 4, column: 1 });
    expect(issues[0]?.message).not.toMatch(/at line/);
  });

  it('binary junk', () => {
    const issues = refuse('\u0000\u0001\u0002\uFFFF: [}{');
    expect(issues.length).toBeGreaterThan(0);
  });

  it('legitimate aliases still work', () => {
    const text = `apiVersion: batch/v1
kind: Job
metadata: {name: anchors}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - &c {name: a, image: busybox, command: ["true"]}
      - {name: b, image: busybox, command: ["true"]}
      initContainers: [*c]
`;
    const r = parseManifest(text, 'a.yaml');
    // The alias copies the container, name included, so the name clashes.
    expect(r.issues).toMatchObject([{ code: 'FieldDuplicate', field: 'spec.template.spec.containers[0].name' }]);
  });
});
