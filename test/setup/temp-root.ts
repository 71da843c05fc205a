import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
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
    killStrays(root);
    rmSync(root, { recursive: true, force: true });
  };
}

/**
 * Kills what the run left running under its root: pods and supervisors of a
 * test whose cleanup never ran (a worker that timed out, say) outlive their
 * daemon by design, and a busy one would slow every test after it, here and
 * in every later run on the machine. Says so, since it means a test leaks.
 */
function killStrays(root: string): void {
  const strays: string[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // not ours to read
      }
      if (!cmdline.includes(root) && !cwd.startsWith(root)) continue;
      process.kill(pid, 'SIGKILL');
      strays.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // gone meanwhile
    }
  }
  if (strays.length > 0) console.warn(`killed ${strays.length} process(es) the tests left running:\n  ${strays.join('\n  ')}`);
}
