// One daemon per state folder, even when two start at the same instant.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';

let handles: DaemonHandle[] = [];
const procs: ReturnType<typeof spawn>[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const h of handles.splice(0).reverse()) await h.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function launch(dir: string): { proc: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const proc = spawn(process.execPath, [CLI, 'daemon', '--jobs', join(dir, 'jobs'), '--state', join(dir, 'state')], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out, exited: new Promise((r) => proc.once('exit', (c) => r(c))) };
}

describe('one daemon per state folder (18)', () => {
  it('of daemons started at the same instant on one folder, exactly one runs and the others are refused', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir('gitjobs-lock-');
      dirs.push(dir);
      mkdirSync(join(dir, 'jobs'));
      mkdirSync(join(dir, 'state'));
      const all = [launch(dir), launch(dir), launch(dir)];
      await waitFor('all but one refused', () => all.filter((d) => d.proc.exitCode !== null).length === 2, 20_000);
      const winners = all.filter((d) => d.proc.exitCode === null);
      expect(winners).toHaveLength(1);
      await waitFor('the winner ready', () => winners[0]!.output().includes('daemon ready'));
      for (const loser of all.filter((d) => d.proc.exitCode !== null)) {
        expect(loser.proc.exitCode).toBe(1);
        expect(loser.output()).toContain('another gitjobs daemon is already running on this state folder');
      }
      winners[0]!.proc.kill('SIGTERM');
      await winners[0]!.exited;
    }
  });

  it('a refused second daemon leaves the first running; after the first is SIGKILLed a new one starts', async () => {
    const d = await startDaemon();
    handles.push(d);
    const second = launch(d.dir);
    expect(await second.exited).toBe(1);
    expect(d.cli(['sync']).code).toBe(0);
    await d.stop('SIGKILL');
    const third = await startDaemon({ dir: d.dir });
    handles.push(third);
    expect(third.cli(['sync']).code).toBe(0);
  });
});
