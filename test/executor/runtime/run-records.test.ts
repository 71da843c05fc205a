import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExitCode, readRun, readSupervisor, readWorkloadPid, spawnedAt, writeSupervisorRecord } from '../../../src/executor/runtime/run-records.js';

// A run's records are lines appended to one file by its spawner and its
// supervisor, so a reader may meet a line half-written (or cut by a crash): it
// must then see "not written yet", never a wrong pid. Runs an older daemon
// started left a file per record, and are read as well.

const dir = mkdtempSync(join(tmpdir(), 'gitjobs-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A fresh run's record prefix, laid out as the kubelet does (`<restart>.` in the container's log folder). */
function prefix(): string {
  const d = join(dir, String(n++));
  mkdirSync(d);
  return `${d}/0.`;
}
function runWith(text: string): string {
  const rec = prefix();
  writeFileSync(`${rec}run`, text);
  return rec;
}

describe('the supervisor record', () => {
  const cases: Record<string, { text: string; want: ReturnType<typeof readSupervisor> }> = {
    'pid and start time': { text: 'supervisor 123 456\n', want: { pid: 123, startTime: 456 } },
    'with the pod uid': { text: 'supervisor 123 456 100007\n', want: { pid: 123, startTime: 456, podUid: 100007 } },
    'start time unknown (the supervisor was already gone)': { text: 'supervisor 123 \n', want: { pid: 123, startTime: undefined } },
    'start time unknown, with the pod uid': { text: 'supervisor 123  100007\n', want: { pid: 123, startTime: undefined, podUid: 100007 } },
    'no file yet': { text: '', want: undefined },
    'without its newline (still being written)': { text: 'supervisor 123 45', want: undefined },
    'pid 1 is never ours': { text: 'supervisor 1 456\n', want: undefined },
    'not numbers': { text: 'supervisor abc def\n', want: undefined },
    'after the supervisor\'s own records (it wrote first)': { text: 'workload 124 1000\nexit 0 1001\nsupervisor 123 456\n', want: { pid: 123, startTime: 456 } },
  };
  for (const [name, k] of Object.entries(cases)) it(name, () => expect(readSupervisor(runWith(k.text))).toEqual(k.want));

  it('reads back what the spawner appended, beside what the supervisor appends', () => {
    const rec = prefix();
    writeSupervisorRecord(rec, 4242, 99, undefined);
    expect(readSupervisor(rec)).toEqual({ pid: 4242, startTime: 99 });
    appendFileSync(`${rec}run`, 'workload 4243 5000\n');
    expect(readRun(rec)).toEqual({ supervisor: { pid: 4242, startTime: 99 }, workloadPid: 4243, workloadAt: 5000 });
    const other = prefix();
    writeSupervisorRecord(other, 4242, undefined, 100001);
    expect(readSupervisor(other)).toEqual({ pid: 4242, startTime: undefined, podUid: 100001 });
  });
});

describe("the supervisor's own records", () => {
  it('an exit status without its newline is not one yet', () => {
    expect(readExitCode(runWith('workload 77 1000\nexit 13'))).toBeUndefined();
    expect(readExitCode(runWith('workload 77 1000\nexit 137 1001\n'))).toBe(137);
  });

  it('a workload pid must be a whole line and never 0 or 1', () => {
    expect(readWorkloadPid(runWith('workload 77'))).toBeUndefined();
    expect(readWorkloadPid(runWith('workload 1 1000\n'))).toBeUndefined();
    expect(readWorkloadPid(runWith('workload 77 1000\n'))).toBe(77);
  });

  it('when: the time in the line, or the file\'s mtime where the shell supervisor could not write one', () => {
    expect(readRun(runWith('workload 77 1000\nexit 0 2000\n'))).toMatchObject({ workloadAt: 1000, exitAt: 2000 });
    const rec = runWith('workload 77\nexit 0\n');
    utimesSync(`${rec}run`, 3, 3);
    expect(readRun(rec)).toMatchObject({ workloadPid: 77, workloadAt: 3000, exitCode: 0, exitAt: 3000 });
  });

  it('a line cut by a crash, or garbage, says nothing; the records around it still count', () => {
    expect(readRun(runWith('supervisor 10 20\nwork\0\0\nworkload 11 30\nexit x\nexit 2 40\n'))).toEqual({
      supervisor: { pid: 10, startTime: 20 },
      workloadPid: 11,
      workloadAt: 30,
      exitCode: 2,
      exitAt: 40,
    });
  });

  it('spawnedAt: when the workload started, else when the supervisor was recorded, else never', () => {
    expect(spawnedAt(runWith('supervisor 10 20\nworkload 11 1234\n'))).toBe(1234);
    const only = runWith('supervisor 10 20\n');
    utimesSync(`${only}run`, 5, 5);
    expect(spawnedAt(only)).toBe(5000);
    expect(spawnedAt(prefix())).toBeUndefined();
  });
});

describe('runs an older daemon started: a file per record', () => {
  function legacy(files: Record<string, string>, mtime = 7): string {
    const rec = prefix();
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(`${rec}${name}`, text);
      utimesSync(`${rec}${name}`, mtime, mtime);
    }
    return rec;
  }

  it('are read as one record, their times the files\' mtimes', () => {
    expect(readRun(legacy({ supervisor: '123 456 100007\n', 'workload.pid': '124\n', exit: '3\n' }))).toEqual({
      supervisor: { pid: 123, startTime: 456, podUid: 100007 },
      workloadPid: 124,
      workloadAt: 7000,
      exitCode: 3,
      exitAt: 7000,
    });
    expect(spawnedAt(legacy({ supervisor: '123 456\n' }, 9))).toBe(9000);
  });

  it('half-written ones say nothing yet', () => {
    expect(readRun(legacy({ supervisor: '123 45', 'workload.pid': '1\n', exit: '13' }))).toEqual({});
  });
});
