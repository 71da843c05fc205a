import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every test's temporary folder goes under one root made for this run, and the
// root goes at the end: a test that fails before its cleanup, or forgets it,
// no longer leaves folders behind. Thousands of them in the OS temp folder
// made inode creation there several times slower, which skewed the figures
// of whatever ran next. Workers inherit TMPDIR, and os.tmpdir() reads it.
export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'gitjobs-vitest-'));
  // Searchable by everyone: some tests run pods as nobody in folders under it.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  // Daemons the tests start listen on a free port each, never on 6443 together.
  const previousListen = process.env.GITJOBS_LISTEN;
  process.env.GITJOBS_LISTEN = '127.0.0.1:0';
  return () => {
    if (previousListen === undefined) delete process.env.GITJOBS_LISTEN;
    else process.env.GITJOBS_LISTEN = previousListen;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
