import { describe, expect, it } from 'vitest';
import { naturalCompare, parseCustomColumnsFile, sortRows } from '../../../src/cli/commands/get-sort.js';
import { printCustomColumns } from '../../../src/cli/print/custom-columns.js';

const objects = [
  { metadata: { name: 'pi-10', creationTimestamp: '2025-01-01T00:00:10Z' }, status: { succeeded: 3 } },
  { metadata: { name: 'pi-9', creationTimestamp: '2025-01-01T00:00:09Z' }, status: {} },
  { metadata: { name: 'pi-2', creationTimestamp: '2025-01-01T00:00:30Z' }, status: { succeeded: 12 } },
];
const names = (rows: typeof objects): string[] => rows.map((o) => o.metadata.name);

describe('get --sort-by', () => {
  it.each([
    ['.metadata.creationTimestamp', ['pi-9', 'pi-10', 'pi-2']],
    ['{.metadata.creationTimestamp}', ['pi-9', 'pi-10', 'pi-2']],
    ['metadata.name', ['pi-2', 'pi-9', 'pi-10']],
    ['{.status.succeeded}', ['pi-9', 'pi-10', 'pi-2']],
  ])('%s', (expr, expected) => {
    expect(names(sortRows(objects, (o) => o, expr))).toEqual(expected);
  });

  it('numbers sort by value, not as text', () => {
    expect(names(sortRows(objects.slice(0, 1).concat(objects.slice(2)), (o) => o, '.status.succeeded'))).toEqual(['pi-10', 'pi-2']);
  });

  it('objects with equal keys keep their order', () => {
    const rows = [{ k: 1, n: 'a' }, { k: 0, n: 'b' }, { k: 1, n: 'c' }];
    expect(sortRows(rows, (r) => r, '.k').map((r) => r.n)).toEqual(['b', 'a', 'c']);
  });

  it.each([
    ['pod-9', 'pod-10', -1],
    ['pod-10', 'pod-9', 1],
    ['a', 'b', -1],
    ['x1', 'x1', 0],
  ])('natural order: %s vs %s', (a, b, sign) => {
    expect(Math.sign(naturalCompare(a, b))).toBe(sign);
  });
});

describe('-o custom-columns-file', () => {
  it('reads a header line and a path line into columns', () => {
    const cols = parseCustomColumnsFile('NAME          DONE\nmetadata.name {.status.succeeded}\n');
    expect(printCustomColumns(cols, objects.slice(0, 2))).toBe('NAME    DONE\npi-10   3\npi-9    <none>\n');
  });

  it('refuses a file whose lines do not pair up', () => {
    expect(() => parseCustomColumnsFile('NAME DONE\nmetadata.name\n')).toThrow('expected 2 columns, got 1');
  });
});
