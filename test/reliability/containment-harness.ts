// Shared helpers for the containment scenarios: what this host offers, and
// where a pod's cgroups are, read the way the daemon computes them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups, limitHierarchy, type Limit } from '../../src/executor/containment/cgroups.js';
import { findProgram } from '../../src/executor/containment/identity.js';
import { stateHash } from '../../src/executor/containment/pod-cgroups.js';
import { NATIVE_SUPERVISOR_PATH } from '../../src/executor/runtime/supervisor.js';

export const isRoot = process.getuid?.() === 0;
const layout = detectCgroups();

/** The daemon gets cgroups when it is root and the host has a hierarchy. */
export const hasCgroups = isRoot && layout.mode !== 'none';
export const enforces = (limit: Limit): boolean => hasCgroups && limitHierarchy(layout, limit) !== undefined;
export const limitV2 = (limit: Limit): boolean => limitHierarchy(layout, limit)?.v2 === true;
export const hasSetpriv = findProgram('setpriv') !== undefined;
/** `npm run build` compiled the pod supervisor (a C compiler was there). */
export const hasCompiledSupervisor = existsSync(NATIVE_SUPERVISOR_PATH);
export const hasUnshare = isRoot && findProgram('unshare') !== undefined;

/** A container run's cgroup folder in the hierarchy that enforces `limit`. */
export function runCgroup(stateDir: string, limit: Limit, podUid: string, leaf = 'c.0'): string {
  const h = limitHierarchy(layout, limit);
  if (h === undefined) throw new Error(`no ${limit} hierarchy`);
  return join(h.root, 'gitjobs', stateHash(stateDir), podUid, leaf);
}

/** Every pod cgroup of a daemon's state folder, in every hierarchy (to check they are removed). */
export function podCgroupDirs(stateDir: string, podUid: string): string[] {
  const roots = [layout.unified, ...Object.values(layout.v1)].filter((r): r is string => r !== undefined);
  return roots.map((r) => join(r, 'gitjobs', stateHash(stateDir), podUid)).filter((d) => existsSync(d));
}

/** A process that is still the one we look for: alive, not a zombie, running what we expect. */
export function stillRunning(pid: number, argvPart: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    if (state === 'Z' || state === 'X') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(argvPart);
  } catch {
    return false;
  }
}

export function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

/** `key: value` lines a pod printed from /proc/self/status. */
export function statusField(log: string, key: string): string | undefined {
  return new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(log)?.[1]?.trim();
}
