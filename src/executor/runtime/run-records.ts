import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

// A container run's records: one file, named by the run's record prefix
// (logs/paths.ts, runRecords) and `run`, that its spawner and its supervisor
// append to, each record one write() of one line:
//
//   supervisor PID STARTTIME [UID]   whoever spawned the supervisor: its pid and
//                                    kernel start time, and the pod's own uid
//   workload PID [MS]                the supervisor, once the workload runs
//   exit CODE [MS]                   the supervisor, once it has ended
//
// MS is when, in ms since the epoch (the shell supervisor leaves it out: the
// file's mtime stands in). They are how a restarted daemon, or one whose
// spawner went away, learns what happened. One appended file in place of a
// file per record saves two file creations per pod, a measurable part of a
// pod start on a disk. Runs started by an older daemon left three files,
// `supervisor`, `workload.pid` and `exit`; they are read as well.

export const RUN_FILE = 'run';

export interface Supervisor {
  pid: number;
  startTime: number | undefined;
  podUid?: number;
}

export interface RunRecord {
  supervisor?: Supervisor;
  workloadPid?: number;
  /** When the workload was started. */
  workloadAt?: number;
  exitCode?: number;
  /** When the supervisor saw it end. */
  exitAt?: number;
}

const SUPERVISOR = /^(\d+) (\d*)(?: (\d+))?$/;
const NUMBER_AND_TIME = /^(\d+)(?: (\d+))?$/;

/**
 * What the run's records say. A line without its newline is still being
 * written (or was cut by a crash) and says nothing yet; of a record written
 * twice the first counts.
 */
export function readRun(rec: string): RunRecord {
  let text: string;
  let mtime = 0;
  try {
    text = readFileSync(`${rec}${RUN_FILE}`, 'utf8');
  } catch {
    return readLegacy(rec);
  }
  const out: RunRecord = {};
  const lines = text.split('\n');
  // The last piece is whatever follows the last newline: not a record.
  for (const line of lines.slice(0, -1)) {
    const sp = line.indexOf(' ');
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    if (tag === 'supervisor' && out.supervisor === undefined) {
      const s = parseSupervisor(rest);
      if (s !== undefined) out.supervisor = s;
    } else if (tag === 'workload' && out.workloadPid === undefined) {
      const m = NUMBER_AND_TIME.exec(rest);
      const pid = Number(m?.[1]);
      if (m === null || pid <= 1) continue;
      out.workloadPid = pid;
      out.workloadAt = m[2] === undefined ? (mtime ||= fileMtime(rec)) : Number(m[2]);
    } else if (tag === 'exit' && out.exitCode === undefined) {
      const m = NUMBER_AND_TIME.exec(rest);
      if (m === null) continue;
      out.exitCode = Number(m[1]);
      out.exitAt = m[2] === undefined ? (mtime ||= fileMtime(rec)) : Number(m[2]);
    }
  }
  return out;
}

function parseSupervisor(text: string): Supervisor | undefined {
  const m = SUPERVISOR.exec(text);
  if (m === null) return undefined;
  const pid = Number(m[1]);
  if (pid <= 1) return undefined;
  const uid = m[3] === undefined ? undefined : Number(m[3]);
  return { pid, startTime: m[2] === '' ? undefined : Number(m[2]), ...(uid !== undefined && uid > 0 ? { podUid: uid } : {}) };
}

function fileMtime(rec: string): number {
  try {
    return Math.floor(statSync(`${rec}${RUN_FILE}`).mtimeMs);
  } catch {
    return 0;
  }
}

/** The three files of a run an older daemon started; each one line, its time the file's mtime. */
function readLegacy(rec: string): RunRecord {
  const out: RunRecord = {};
  const line = (name: string): { text: string; at: number } | undefined => {
    try {
      const text = readFileSync(`${rec}${name}`, 'utf8');
      if (!text.endsWith('\n')) return undefined;
      return { text: text.slice(0, -1), at: Math.floor(statSync(`${rec}${name}`).mtimeMs) };
    } catch {
      return undefined;
    }
  };
  const sup = line('supervisor');
  const s = sup === undefined ? undefined : parseSupervisor(sup.text);
  if (s !== undefined) out.supervisor = s;
  const w = line('workload.pid');
  if (w !== undefined && /^\d+$/.test(w.text) && Number(w.text) > 1) {
    out.workloadPid = Number(w.text);
    out.workloadAt = w.at;
  }
  const e = line('exit');
  if (e !== undefined && /^\d+$/.test(e.text)) {
    out.exitCode = Number(e.text);
    out.exitAt = e.at;
  }
  return out;
}

/** The exit status the supervisor recorded; undefined while it is absent or still being written. */
export function readExitCode(rec: string): number | undefined {
  return readRun(rec).exitCode;
}

export function readWorkloadPid(rec: string): number | undefined {
  return readRun(rec).workloadPid;
}

/** The supervisor's pid and start time, and the pod's own uid when pods get one each. */
export function readSupervisor(rec: string): Supervisor | undefined {
  return readRun(rec).supervisor;
}

/**
 * When a container run was started, if it left a record: the workload's
 * start, or else when its supervisor was recorded.
 */
export function spawnedAt(rec: string): number | undefined {
  const r = readRun(rec);
  if (r.workloadAt !== undefined) return r.workloadAt;
  if (r.supervisor === undefined) return undefined;
  for (const f of [RUN_FILE, 'supervisor']) {
    try {
      return Math.floor(statSync(`${rec}${f}`).mtimeMs);
    } catch {
      // not this layout
    }
  }
  return undefined;
}

/** The supervisor record: appended in one write, as the supervisor appends its own. */
export function writeSupervisorRecord(rec: string, pid: number, startTime: number | undefined, podUid: number | undefined): void {
  appendFileSync(`${rec}${RUN_FILE}`, `supervisor ${pid} ${startTime ?? ''}${podUid === undefined ? '' : ` ${podUid}`}\n`);
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
