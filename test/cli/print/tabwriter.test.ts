import { describe, expect, it } from 'vitest';
import { DESCRIBE_LAYOUT, escapeTerminal, tabwrite, TABLE_LAYOUT } from '../../../src/cli/print/tabwriter.js';
import { printName } from '../../../src/cli/print/name.js';

describe('tabwrite', () => {
  it('aligns each run of lines that share a column on its own', () => {
    const text = 'Name:\tpi\nLonger Key:\tv\nSection:\n  a:\t1\n  bb:\t2\n';
    expect(tabwrite(text, DESCRIBE_LAYOUT)).toBe('Name:        pi\nLonger Key:  v\nSection:\n  a:   1\n  bb:  2\n');
  });

  it('pads table cells to at least six characters', () => {
    expect(tabwrite('A\tB\tC\nx\ty\tz', TABLE_LAYOUT)).toBe('A     B     C\nx     y     z');
  });

  it('counts characters, not bytes', () => {
    expect(tabwrite('é\tx\nab\ty', DESCRIBE_LAYOUT)).toBe('é   x\nab  y');
  });
});

describe('escapeTerminal', () => {
  it('defuses escape sequences and carriage returns from process output', () => {
    expect(escapeTerminal('\x1b[31mred\r')).toBe('^[[31mred\\r');
  });
});

describe('printName', () => {
  it('qualifies Jobs with their API group', () => {
    expect(printName('Job', [{ name: 'pi' }])).toBe('job.batch/pi\n');
    expect(printName('Pod', [{ name: 'pi-abcde' }, { name: 'pi-fghij' }])).toBe('pod/pi-abcde\npod/pi-fghij\n');
  });
});
