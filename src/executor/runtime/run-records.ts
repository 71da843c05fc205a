import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// The records a container run leaves, each a file named by the run's record
// prefix (logs/paths.ts, runRecords) and one of: `supervisor` (pid and kernel start
// time, written by whoever spawned it), `workload.pid` and `exit` (written by
// the supervisor, pod-supervisor.c). They are how a restarted daemon, or one
// whose spawner went away, learns what happened.

/** The exit status the supervisor recorded; undefined while it is absent or still being written. */
export function readExitCode(rec: string): number | undefined {
  try {
    const text = readFileSync(`${rec}exit`, 'utf8');
    return /^\d+\n$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** When a container run's supervisor left its first record, if it did. */
export function spawnedAt(rec: string): number | undefined {
  for (const f of ['supervisor', 'workload.pid']) {
    try {
      return Math.floor(statSync(`${rec}${f}`).mtimeMs);
    } catch {
      // not there
    }
  }
  return undefined;
}

export function readWorkloadPid(rec: string): number | undefined {
  try {
    // A record still being written (empty, or without its newline) is not one yet.
    const text = readFileSync(`${rec}workload.pid`, 'utf8');
    const v = /^\d+\n$/.test(text) ? Number(text) : NaN;
    return Number.isInteger(v) && v > 1 ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `PID STARTTIME [UID]`: the supervisor, and the pod's own uid when pods get
 * one each. Undefined while the record is absent or still being written.
 */
export function readSupervisor(rec: string): { pid: number; startTime: number | undefined; podUid?: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`${rec}supervisor`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+) (\d*)(?: (\d+))?\n$/.exec(text);
  if (m === null) return undefined;
  const pid = Number(m[1]);
  if (pid <= 1) return undefined;
  const uid = m[3] === undefined ? undefined : Number(m[3]);
  return { pid, startTime: m[2] === '' ? undefined : Number(m[2]), ...(uid !== undefined && uid > 0 ? { podUid: uid } : {}) };
}

/**
 * The supervisor record, written in place with one write rather than renamed
 * into place: a second file and a rename per pod were a measurable part of
 * what a start costs, and readers take a record without its newline as not
 * written yet, as they do the supervisor's own records.
 */
export function writeSupervisorRecord(rec: string, pid: number, startTime: number | undefined, podUid: number | undefined): void {
  writeFileSync(`${rec}supervisor`, `${pid} ${startTime ?? ''}${podUid === undefined ? '' : ` ${podUid}`}\n`);
}

/**
 * Creates a folder whose parent usually exists: one mkdir, where a recursive
 * one costs ten times as much; the parent only when it is missing.
 */
export function ensureDir(path: string): void {
  try {
    mkdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT') throw err;
    // The parent (a new pod's log folder) is missing: make it flat too, then this one.
    ensureDir(dirname(path));
    mkdirSync(path);
  }
}
