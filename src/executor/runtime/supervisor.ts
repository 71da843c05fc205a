import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The program that supervises each container run: the compiled one when
// `npm run build` could make it, else the shell script, which needs setsid(1)
// and setpriv(1) execs for what the compiled one does itself.

export const SHELL_SUPERVISOR_PATH = fileURLToPath(new URL('../../../src/executor/runtime/pod-wrapper.sh', import.meta.url));
export const SUPERVISOR_SOURCE_PATH = fileURLToPath(new URL('../../../src/executor/runtime/pod-supervisor.c', import.meta.url));
/** What the compiled supervisor is built from: the supervision, the launcher it also is (`--serve`), and the entry point choosing between them. */
export const SUPERVISOR_SOURCES: readonly string[] = [SUPERVISOR_SOURCE_PATH, ...['pod-launcher.c', 'pod-main.c'].map((f) => fileURLToPath(new URL(`../../../src/executor/runtime/${f}`, import.meta.url)))];
/** Where `npm run build` leaves the compiled supervisor (absent without a C compiler). */
export const NATIVE_SUPERVISOR_PATH = fileURLToPath(new URL('../../../dist/executor/runtime/pod-supervisor', import.meta.url));

/** Set to `shell` to use the shell supervisor even where the compiled one was built. */
export const SUPERVISOR_ENV = 'GITJOBS_POD_SUPERVISOR';

export interface Supervisor {
  path: string;
  /**
   * The compiled one: it takes a DROP argument (uid:gid, or '-') after JOIN and
   * switches the workload's user itself; the script is run by /bin/sh and takes none.
   */
  native: boolean;
}

/** Which supervisor this host gets: the compiled one if it was built and not refused. */
export function chooseSupervisor(env: NodeJS.ProcessEnv = process.env): Supervisor {
  const native = env[SUPERVISOR_ENV] !== 'shell' && existsSync(NATIVE_SUPERVISOR_PATH);
  return native ? { path: NATIVE_SUPERVISOR_PATH, native: true } : { path: SHELL_SUPERVISOR_PATH, native: false };
}

/**
 * Copies the supervisor into the state folder under a name made from its
 * content, and returns the copy. A daemon spawns only its own copy, so
 * installing a new gitjobs while it runs (a new supervisor with other
 * arguments) cannot break the pods it starts.
 */
export function installSupervisor(stateDir: string, s: Supervisor): Supervisor {
  const bytes = readFileSync(s.path);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const path = join(stateDir, 'bin', s.native ? `pod-supervisor-${hash}` : `pod-wrapper-${hash}.sh`);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, bytes, { mode: 0o755 });
    renameSync(`${path}.tmp`, path);
  }
  return { path, native: s.native };
}

/** The argv that starts a run under this supervisor. */
export function supervisorArgv(s: Supervisor, records: string, join: string, drop: { uid: number; gid: number } | undefined, command: readonly string[]): { file: string; args: string[] } {
  if (s.native) return { file: s.path, args: [records, join, drop === undefined ? '-' : `${drop.uid}:${drop.gid}`, ...command] };
  // The script cannot switch users: whoever asks for a drop without the compiled supervisor has a bug.
  if (drop !== undefined) throw new Error('the shell supervisor cannot switch users; put setpriv in the prefix');
  return { file: '/bin/sh', args: [s.path, records, join, ...command] };
}
