import { appendFileSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotatedPath, rotateIfOver } from '../../../src/executor/logs/cap.js';
import { LogStamper } from '../../../src/executor/logs/stamper.js';
import { readStamps, stampedLines, stampsPath } from '../../../src/executor/logs/stamps.js';

function tmpLog(): string {
  return join(mkdtempSync(join(tmpdir(), 'gitjobs-logcap-')), '0.log');
}

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');

describe('log size cap', () => {
  it('a log under the cap is left alone', () => {
    const log = tmpLog();
    writeFileSync(log, lines(0, 10));
    expect(rotateIfOver(log, 1024)).toBe(false);
    expect(readFileSync(log, 'utf8')).toBe(lines(0, 10));
    expect(existsSync(rotatedPath(log))).toBe(false);
  });

  it('over the cap: the newest whole lines move to .1, the file restarts empty', () => {
    const log = tmpLog();
    writeFileSync(log, lines(0, 1000));
    expect(rotateIfOver(log, 100)).toBe(true);
    expect(statSync(log).size).toBe(0);
    const kept = readFileSync(rotatedPath(log), 'utf8');
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept.startsWith('line ')).toBe(true);
    expect(kept.endsWith('line 999\n')).toBe(true);
  });

  it('a writer holding the file with O_APPEND carries on at the new start, with no hole', () => {
    const log = tmpLog();
    const fd = openSync(log, 'a');
    try {
      writeSync(fd, lines(0, 500));
      rotateIfOver(log, 64);
      writeSync(fd, 'after rotation\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(log, 'utf8')).toBe('after rotation\n');
  });

  it('only one older file is kept: a second rotation replaces it', () => {
    const log = tmpLog();
    writeFileSync(log, lines(0, 100));
    rotateIfOver(log, 50);
    appendFileSync(log, lines(100, 200));
    rotateIfOver(log, 50);
    expect(readFileSync(rotatedPath(log), 'utf8')).toContain('line 199');
    expect(readFileSync(rotatedPath(log), 'utf8')).not.toContain('line 99\n');
  });

  it('timestamps stay right: the copied lines keep theirs, the live file starts a fresh index', () => {
    const log = tmpLog();
    writeFileSync(log, lines(0, 50));
    writeFileSync(stampsPath(log), `0 1000\n${lines(0, 40).length} 2000\n`);
    rotateIfOver(log, lines(0, 20).length);
    const copied = readFileSync(rotatedPath(log), 'utf8');
    const stamped = stampedLines(copied, readStamps(rotatedPath(log)), 0);
    expect(stamped.find((l) => l.line === 'line 35')?.ms).toBe(1000);
    expect(stamped.find((l) => l.line === 'line 45')?.ms).toBe(2000);
    expect(readStamps(log)).toEqual([]);
  });

  it('once the container has ended, its last lines stay in the log itself and the part before goes to .1', () => {
    const log = tmpLog();
    writeFileSync(log, lines(0, 1000));
    expect(rotateIfOver(log, 200, true)).toBe(true);
    const current = readFileSync(log, 'utf8');
    const older = readFileSync(rotatedPath(log), 'utf8');
    expect(current.length).toBeLessThanOrEqual(200);
    expect(current.endsWith('line 999\n')).toBe(true);
    expect(older.length).toBeLessThanOrEqual(200);
    // Adjacent, whole lines: .1 ends where the log begins.
    const firstKept = Number(/^line (\d+)/.exec(current)?.[1]);
    expect(older.endsWith(`line ${firstKept - 1}\n`)).toBe(true);
  });

  it('the stamper rotates a growing log it watches, keeps the end in place when the container ends, and keeps stamping after', () => {
    const log = tmpLog();
    writeFileSync(log, '');
    let now = 5000;
    const stamper = new LogStamper(() => now, 1024);
    stamper.watch(log);
    appendFileSync(log, lines(0, 500));
    stamper.finish(log);
    expect(statSync(log).size).toBeLessThanOrEqual(1024);
    expect(readFileSync(log, 'utf8').endsWith('line 499\n')).toBe(true);
    expect(statSync(rotatedPath(log)).size).toBeLessThanOrEqual(1024);
    now = 9000;
    stamper.watch(log);
    appendFileSync(log, 'late line\n');
    stamper.finish(log);
    expect(readFileSync(log, 'utf8').endsWith('line 499\nlate line\n')).toBe(true);
    expect(stampedLines(readFileSync(log, 'utf8'), readStamps(log), 0).at(-1)).toEqual({ line: 'late line', ms: 9000 });
  });
});
