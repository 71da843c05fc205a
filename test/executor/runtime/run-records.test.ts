import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExitCode, readSupervisor, readWorkloadPid, writeSupervisorRecord } from '../../../src/executor/runtime/run-records.js';

// Records are written in place, so a reader may meet one half-written (or
// emptied by a crash): it must then see "not written yet", never a wrong pid.

const dir = mkdtempSync(join(tmpdir(), 'gitjobs-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** The record prefix of a run whose `name` record holds text, laid out as the kubelet does (`<restart>.<name>` in the container's log folder). */
function recordsWith(name: string, text: string): string {
  const d = join(dir, String(n++));
  mkdirSync(d);
  writeFileSync(join(d, `0.${name}`), text);
  return `${d}/0.`;
}

describe('the supervisor record', () => {
  const cases: Record<string, { text: string; want: ReturnType<typeof readSupervisor> }> = {
    'pid and start time': { text: '123 456\n', want: { pid: 123, startTime: 456 } },
    'with the pod uid': { text: '123 456 100007\n', want: { pid: 123, startTime: 456, podUid: 100007 } },
    'start time unknown (the supervisor was already gone)': { text: '123 \n', want: { pid: 123, startTime: undefined } },
    'empty (created, not yet written)': { text: '', want: undefined },
    'without its newline (still being written)': { text: '123 45', want: undefined },
    'pid 1 is never ours': { text: '1 456\n', want: undefined },
    'not numbers': { text: 'abc def\n', want: undefined },
  };
  for (const [name, k] of Object.entries(cases)) it(name, () => expect(readSupervisor(recordsWith('supervisor', k.text))).toEqual(k.want));

  it('reads back what the spawner wrote', () => {
    const d = recordsWith('x', '');
    writeSupervisorRecord(d, 4242, 99, undefined);
    expect(readSupervisor(d)).toEqual({ pid: 4242, startTime: 99 });
    writeSupervisorRecord(d, 4242, undefined, 100001);
    expect(readSupervisor(d)).toEqual({ pid: 4242, startTime: undefined, podUid: 100001 });
  });
});

describe("the supervisor's own records", () => {
  it('an exit status without its newline is not one yet', () => {
    expect(readExitCode(recordsWith('exit', '13'))).toBeUndefined();
    expect(readExitCode(recordsWith('exit', '137\n'))).toBe(137);
  });
  it('a workload pid must be a whole line and never 0 or 1', () => {
    expect(readWorkloadPid(recordsWith('workload.pid', '77'))).toBeUndefined();
    expect(readWorkloadPid(recordsWith('workload.pid', '1\n'))).toBeUndefined();
    expect(readWorkloadPid(recordsWith('workload.pid', '77\n'))).toBe(77);
  });
});
