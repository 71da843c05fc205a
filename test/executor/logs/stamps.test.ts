import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogStamper } from '../../../src/executor/logs/stamper.js';
import { readStamps, stampedLines } from '../../../src/executor/logs/stamps.js';
import { tempDir, waitFor } from '../../helpers/e2e.js';

describe('stamped log lines', () => {
  const cases: Record<string, { text: string; stamps: { offset: number; ms: number }[]; want: [string, number][] }> = {
    'each line takes the stamp of the chunk it starts in': {
      text: 'a\nb\nc\n',
      stamps: [{ offset: 0, ms: 100 }, { offset: 4, ms: 200 }],
      want: [['a', 100], ['b', 100], ['c', 200]],
    },
    'lines before any stamp take the fallback time': {
      text: 'x\ny\n',
      stamps: [{ offset: 2, ms: 500 }],
      want: [['x', 7], ['y', 500]],
    },
    'a last line without a newline is still a line': {
      text: 'one\ntwo',
      stamps: [{ offset: 0, ms: 1 }],
      want: [['one', 1], ['two', 1]],
    },
    'multi-byte characters count as bytes, as the offsets do': {
      text: 'é\nz\n',
      stamps: [{ offset: 0, ms: 1 }, { offset: 3, ms: 2 }],
      want: [['é', 1], ['z', 2]],
    },
    'an empty log has no lines': { text: '', stamps: [], want: [] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => expect(stampedLines(c.text, c.stamps, 7).map((l) => [l.line, l.ms])).toEqual(c.want));
  }
});

describe('log stamper on a real file', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('records a later time for output appended later, and stops at finish', async () => {
    const dir = tempDir('gitjobs-stamps-');
    dirs.push(dir);
    const log = join(dir, '0.log');
    writeFileSync(log, 'first\n');
    let now = 1_000;
    const stamper = new LogStamper(() => now);
    stamper.watch(log);
    expect(readStamps(log)).toEqual([{ offset: 0, ms: 1_000 }]);
    now = 5_000;
    appendFileSync(log, 'second\n');
    await waitFor('second chunk stamped', () => readStamps(log).length === 2);
    expect(readStamps(log)[1]).toEqual({ offset: 6, ms: 5_000 });
    stamper.finish(log);
    now = 9_000;
    appendFileSync(log, 'after\n');
    stamper.closeAll();
    expect(readStamps(log)).toHaveLength(2);
  });
});
