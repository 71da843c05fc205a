import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { groupAlive, isSafeKillTarget, ownProcessGroup, signalGroup } from '../../src/executor/runtime/process.js';
import { waitFor } from '../helpers/e2e.js';

describe('kill-target guard (51)', () => {
  it.each([
    ['0 (our own group)', 0],
    ['1 (every process we may signal)', 1],
    ['negative', -42],
    ['NaN', Number.NaN],
    ['a fraction', 1234.5],
    ['infinity', Number.POSITIVE_INFINITY],
    ["the daemon's own pid", process.pid],
  ])('refuses to signal %s', (_what, pgid) => {
    expect(isSafeKillTarget(pgid)).toBe(false);
    expect(signalGroup(pgid, 'SIGTERM')).toBe(false);
    expect(groupAlive(pgid)).toBe(false);
  });

  it("refuses the daemon's own process group, which a forged record could name", () => {
    expect(isSafeKillTarget(ownProcessGroup())).toBe(false);
    expect(signalGroup(ownProcessGroup(), 'SIGKILL')).toBe(false);
  });

  it('still signals a real pod process group', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    expect(isSafeKillTarget(child.pid!)).toBe(true);
    expect(signalGroup(child.pid!, 'SIGKILL')).toBe(true);
    await exited;
    await waitFor('group gone', () => !groupAlive(child.pid!));
  });
});
