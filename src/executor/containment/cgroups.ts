import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// What the host offers for containing pods, read without writing anything so
// that `gitjobs version` can show it cheaply. Three layouts exist in practice:
// a cgroup v2-only host (modern distributions), a hybrid host (v1 resource
// controllers plus a v2 hierarchy without controllers, used for tracking and
// cgroup.kill), and a v1-only host.

export type CgroupMode = 'v2' | 'hybrid' | 'v1' | 'none';

/** The v1 controllers gitjobs uses: limits, and the freezer to kill a tree without cgroup.kill. */
export const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

/** The v2 controllers a pod's limits need. */
export const V2_CONTROLLERS = ['memory', 'pids', 'cpu'] as const;

export interface CgroupLayout {
  mode: CgroupMode;
  /** Mount point of the cgroup2 hierarchy, if there is one. */
  unified?: string;
  /** Controllers the cgroup2 root can hand to its children. */
  unifiedControllers: string[];
  /** Mount point of each v1 controller's hierarchy. */
  v1: Partial<Record<V1Controller, string>>;
}

/** Parses /proc/self/mountinfo: `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS`. */
export function parseCgroupMounts(mountinfo: string): { unified?: string; v1: Partial<Record<V1Controller, string>> } {
  const out: { unified?: string; v1: Partial<Record<V1Controller, string>> } = { v1: {} };
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash === -1) continue;
    const left = line.slice(0, dash).split(' ');
    const [fstype, , superOpts = ''] = line.slice(dash + 3).split(' ');
    const mountPoint = unescapeMount(left[4] ?? '');
    if (mountPoint === '') continue;
    if (fstype === 'cgroup2') {
      out.unified ??= mountPoint;
    } else if (fstype === 'cgroup') {
      const opts = new Set(superOpts.split(','));
      for (const c of V1_CONTROLLERS) if (opts.has(c)) out.v1[c] ??= mountPoint;
    }
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The layout from the mounts and the cgroup2 root's controllers. */
export function classifyCgroups(mounts: { unified?: string; v1: Partial<Record<V1Controller, string>> }, unifiedControllers: string[]): CgroupLayout {
  const hasV1 = Object.keys(mounts.v1).length > 0;
  let mode: CgroupMode = 'none';
  if (mounts.unified !== undefined && hasV1) mode = 'hybrid';
  else if (mounts.unified !== undefined) mode = 'v2';
  else if (hasV1) mode = 'v1';
  const layout: CgroupLayout = { mode, unifiedControllers, v1: mounts.v1 };
  if (mounts.unified !== undefined) layout.unified = mounts.unified;
  return layout;
}

/** Reads the host's layout: /proc/self/mountinfo and one small file, no writes. */
export function detectCgroups(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): CgroupLayout {
  let mountinfo = '';
  try {
    mountinfo = read('/proc/self/mountinfo');
  } catch {
    return { mode: 'none', unifiedControllers: [], v1: {} };
  }
  const mounts = parseCgroupMounts(mountinfo);
  let controllers: string[] = [];
  if (mounts.unified !== undefined) {
    try {
      controllers = read(join(mounts.unified, 'cgroup.controllers')).trim().split(/\s+/).filter((c) => c !== '');
    } catch {
      // an unreadable root: no controllers to hand out
    }
  }
  return classifyCgroups(mounts, controllers);
}

export type Limit = 'memory' | 'pids' | 'cpu';

/** Where each limit is enforced: the v2 hierarchy when it has the controller, else the v1 one. */
export function limitHierarchy(layout: CgroupLayout, limit: Limit): { root: string; v2: boolean } | undefined {
  if (layout.unified !== undefined && layout.unifiedControllers.includes(limit)) return { root: layout.unified, v2: true };
  const v1 = layout.v1[limit];
  return v1 === undefined ? undefined : { root: v1, v2: false };
}

/** One line for the daemon's start log and `gitjobs version`. */
export function describeCgroups(layout: CgroupLayout): string {
  if (layout.mode === 'none') return 'none (pods are tracked by process group only)';
  const parts: string[] = [];
  if (layout.unified !== undefined) {
    const ctl = V2_CONTROLLERS.filter((c) => layout.unifiedControllers.includes(c));
    parts.push(`v2 at ${layout.unified}${ctl.length > 0 ? ` (${ctl.join(', ')})` : ' (tracking and kill only)'}`);
  }
  const v1 = V1_CONTROLLERS.filter((c) => layout.v1[c] !== undefined);
  if (v1.length > 0) parts.push(`v1 ${v1.join(', ')}`);
  const limits = (['memory', 'cpu', 'pids'] as const).filter((l) => limitHierarchy(layout, l) !== undefined);
  return `${layout.mode}: ${parts.join('; ')}; limits: ${limits.length > 0 ? limits.join(', ') : 'none'}`;
}
