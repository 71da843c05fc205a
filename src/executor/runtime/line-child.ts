import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts a spawner's helper process (the launcher or the Node fork server):
 * requests go to its stdin, its answers come back one per line, its stderr is
 * the daemon's. `holdFd` stays open in it for as long as it lives (the state
 * lock). `onClose` runs after the last line it wrote has been handed to `onLine`.
 */
export function spawnLineChild(
  file: string,
  args: readonly string[],
  holdFd: number | undefined,
  onLine: (line: string) => void,
  onClose: (code: number | null, signal: NodeJS.Signals | null) => void,
): ChildProcess {
  const stdio: ('pipe' | 'inherit' | number)[] = ['pipe', 'pipe', 'inherit'];
  if (holdFd !== undefined) stdio.push(holdFd);
  const child = spawn(file, args, { stdio });
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      onLine(line);
    }
  });
  // 'close' and not 'exit': what it wrote before it ended is read first.
  child.once('close', onClose);
  child.once('error', () => {
    // not startable (the program went away): 'close' follows
  });
  child.stdin!.on('error', () => {
    // it died: 'close' reports that
  });
  return child;
}
