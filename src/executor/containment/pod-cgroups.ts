import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { limitHierarchy, type CgroupLayout } from './cgroups.js';

// One cgroup per pod, one leaf per container run inside it, in every hierarchy
// the host offers:
//
//   <hierarchy>/gitjobs/<state-hash>/<pod-uid>/<container>.<attempt>
//
// The state hash keeps two daemons on different state folders apart. Processes
// only ever live in the leaves (cgroup v2 forbids processes in a cgroup that
// hands controllers to its children); the pod level carries the pids limit, the
// leaves carry memory and CPU. The supervisor joins the leaves itself before it
// starts the workload, so nothing the workload forks is ever outside.

export interface RunLimits {
  memoryBytes?: number;
  /** CPU cores (limits.cpu), enforced as a CFS quota over a 100 ms period. */
  cpu?: number;
}

/**
 * One write of a run's set-up. A required write that fails names its limit as
 * not applied, and the limit's later writes are skipped; an optional one
 * (turning controllers on, the swap limit) may fail silently.
 */
export interface CgroupWrite {
  path: string;
  value: string;
  limit?: 'pids' | 'memory' | 'cpu';
  required: boolean;
}

export interface CgroupPlan {
  mkdirs: string[];
  writes: CgroupWrite[];
  procs: string[];
}

type Role = 'track' | 'memory' | 'pids' | 'cpu' | 'freezer';

interface Hierarchy {
  root: string;
  v2: boolean;
  roles: Set<Role>;
}

const LIMITS = ['memory', 'pids', 'cpu'] as const;
const CPU_PERIOD_US = 100_000;
/** The kernel's smallest CFS quota. */
const MIN_QUOTA_US = 1000;

export function stateHash(stateDir: string): string {
  let real = stateDir;
  try {
    real = realpathSync(stateDir);
  } catch {
    // not created yet: the path as given
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 12);
}

export class PodCgroups {
  private readonly hierarchies: Hierarchy[] = [];
  private readonly tracking: Hierarchy;

  /** Throws when the layout offers nothing to track pods with. */
  constructor(
    readonly layout: CgroupLayout,
    private readonly hash: string,
    readonly podPidsMax: number,
  ) {
    const add = (root: string, v2: boolean, role: Role): void => {
      let h = this.hierarchies.find((x) => x.root === root);
      if (h === undefined) {
        h = { root, v2, roles: new Set() };
        this.hierarchies.push(h);
      }
      h.roles.add(role);
    };
    if (layout.unified !== undefined) add(layout.unified, true, 'track');
    for (const l of LIMITS) {
      const h = limitHierarchy(layout, l);
      if (h !== undefined) add(h.root, h.v2, l);
    }
    if (layout.unified === undefined && layout.v1.freezer !== undefined) add(layout.v1.freezer, false, 'freezer');
    const track = this.hierarchies.find((h) => h.roles.has('track')) ?? this.hierarchies.find((h) => h.roles.has('freezer')) ?? this.hierarchies[0];
    if (track === undefined) throw new Error('no cgroup hierarchy to track pods with');
    track.roles.add('track');
    this.tracking = track;
  }

  /** Which limits this host enforces. */
  enforces(limit: 'memory' | 'pids' | 'cpu'): boolean {
    return this.hierarchies.some((h) => h.roles.has(limit));
  }

  /**
   * Creates the daemon's parent cgroups and hands the v2 controllers down; a
   * failure here (not root, a read-only mount) means no cgroups at all.
   */
  init(): void {
    for (const h of this.hierarchies) {
      const base = this.base(h);
      mkdirSync(base, { recursive: true });
      if (!h.v2) continue;
      const ctl = LIMITS.filter((c) => h.roles.has(c));
      if (ctl.length === 0) continue;
      for (const dir of [h.root, join(h.root, 'gitjobs'), base]) enableControllers(dir, ctl);
    }
  }

  /**
   * Creates a container run's leaf with its limits, and returns the
   * `cgroup.procs` files the supervisor writes itself into, plus the limits
   * that could not be applied. Throws when a leaf cannot be made.
   */
  prepareRun(podUid: string, leaf: string, limits: RunLimits): { procs: string[]; failed: string[] } {
    const plan = this.planRun(podUid, leaf, limits);
    for (const dir of plan.mkdirs) mkdirSync(dir, { recursive: true });
    const failed: string[] = [];
    for (const op of plan.writes) {
      if (op.limit !== undefined && failed.includes(op.limit)) continue;
      if (!tryWrite(op.path, op.value) && op.required && op.limit !== undefined) failed.push(op.limit);
    }
    return { procs: plan.procs, failed };
  }

  /**
   * What preparing a run takes, as data: the folders to make (with their
   * parents), then the writes in order, then the files to join. The launcher
   * (pod-launcher.c) carries it out in its own process; prepareRun here.
   */
  planRun(podUid: string, leaf: string, limits: RunLimits): CgroupPlan {
    const plan: CgroupPlan = { mkdirs: [], writes: [], procs: [] };
    const write = (limit: CgroupWrite['limit'], path: string, value: string, required = true): void => {
      plan.writes.push({ path, value, required, ...(limit === undefined ? {} : { limit }) });
    };
    for (const h of this.hierarchies) {
      // A hierarchy that would hold nothing for this run is left out: every
      // cgroup made, joined and removed costs the kernel's cgroup locks, which
      // forking and exiting pods contend for.
      if (!this.needed(h, limits)) continue;
      const pod = join(this.base(h), podUid);
      const dir = join(pod, leaf);
      plan.mkdirs.push(dir);
      if (h.v2) {
        const ctl = LIMITS.filter((c) => h.roles.has(c));
        // '+c' for a controller already on is accepted: no need to read first.
        if (ctl.length > 0) write(undefined, join(pod, 'cgroup.subtree_control'), ctl.map((c) => `+${c}`).join(' '), false);
      }
      if (h.roles.has('pids') && this.podPidsMax > 0) write('pids', join(pod, 'pids.max'), String(this.podPidsMax));
      if (h.roles.has('memory') && limits.memoryBytes !== undefined) {
        const bytes = String(Math.max(4096, Math.floor(limits.memoryBytes)));
        write('memory', join(dir, h.v2 ? 'memory.max' : 'memory.limit_in_bytes'), bytes);
        // Without swap limited too, a memory hog swaps instead of being OOM-killed.
        write('memory', join(dir, h.v2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes'), h.v2 ? '0' : bytes, false);
      }
      if (h.roles.has('cpu') && limits.cpu !== undefined) {
        const quota = String(Math.max(MIN_QUOTA_US, Math.ceil(limits.cpu * CPU_PERIOD_US)));
        if (h.v2) write('cpu', join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
        else {
          write('cpu', join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
          write('cpu', join(dir, 'cpu.cfs_quota_us'), quota);
        }
      }
      plan.procs.push(join(dir, 'cgroup.procs'));
    }
    return plan;
  }

  /** A pod's cgroup in every hierarchy, whether or not its runs made one there. */
  podDirs(podUid: string): string[] {
    return this.hierarchies.map((h) => this.dir(h, podUid));
  }

  /** Moves a process into a run's leaves (those prepareRun made): for a supervisor that cannot do it itself. */
  join(podUid: string, leaf: string, pid: number): void {
    for (const h of this.hierarchies) {
      const dir = join(this.base(h), podUid, leaf);
      if (existsSync(dir)) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
    }
  }

  /** Whether a run needs its leaf in this hierarchy: always to be tracked, else for a limit it sets. */
  private needed(h: Hierarchy, limits: RunLimits): boolean {
    if (h.roles.has('track') || h.roles.has('freezer')) return true;
    if (h.roles.has('pids') && this.podPidsMax > 0) return true;
    return (h.roles.has('memory') && limits.memoryBytes !== undefined) || (h.roles.has('cpu') && limits.cpu !== undefined);
  }

  /** Whether any process of the run (or of the whole pod, without a leaf) is still alive. */
  populated(podUid: string, leaf?: string): boolean {
    const dir = this.dir(this.tracking, podUid, leaf);
    if (this.tracking.v2) {
      try {
        return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
      } catch {
        return false;
      }
    }
    return pidsIn(dir).length > 0;
  }

  /**
   * SIGKILL to every process of the run (or the whole pod), whatever session
   * or process group it moved to: cgroup.kill on v2, else freeze, kill each
   * process, thaw, so nothing can fork while it is being killed.
   */
  kill(podUid: string, leaf?: string): void {
    const dir = this.dir(this.tracking, podUid, leaf);
    if (!existsSync(dir)) return;
    if (this.tracking.v2 && tryWrite(join(dir, 'cgroup.kill'), '1')) return;
    const freezer = this.hierarchies.find((h) => h.roles.has('freezer')) ?? (this.tracking.v2 ? this.tracking : undefined);
    const frozen = freezer !== undefined && freeze(this.dir(freezer, podUid, leaf), freezer.v2, true);
    try {
      // Without a freezer, a forking tree can gain a child between reads: a few rounds catch those.
      for (let round = 0; round < (frozen ? 1 : 5); round++) {
        const pids = pidsIn(dir);
        if (pids.length === 0) break;
        for (const pid of pids) killPid(pid);
      }
    } finally {
      if (frozen) freeze(this.dir(freezer, podUid, leaf), freezer.v2, false);
    }
  }

  /** OOM kills counted in a run's memory cgroup. */
  oomKills(podUid: string, leaf: string): number {
    const h = this.hierarchies.find((x) => x.roles.has('memory'));
    if (h === undefined) return 0;
    const file = join(this.dir(h, podUid, leaf), h.v2 ? 'memory.events' : 'memory.oom_control');
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      return m === null ? 0 : Number(m[1]);
    } catch {
      return 0;
    }
  }

  /** cpu.stat of a run: how often its quota throttled it. */
  cpuThrottled(podUid: string, leaf: string): number {
    const h = this.hierarchies.find((x) => x.roles.has('cpu'));
    if (h === undefined) return 0;
    try {
      const m = /^nr_throttled (\d+)$/m.exec(readFileSync(join(this.dir(h, podUid, leaf), 'cpu.stat'), 'utf8'));
      return m === null ? 0 : Number(m[1]);
    } catch {
      return 0;
    }
  }

  /** Removes a run's leaves (or the whole pod); false while something still runs in them. */
  remove(podUid: string, leaf?: string): boolean {
    let done = true;
    for (const h of this.hierarchies) {
      const dir = this.dir(h, podUid, leaf);
      if (!rmTree(dir)) done = false;
    }
    return done;
  }

  /** Removes this daemon's parent cgroups once no pod is left in them (at shutdown; pods left running keep them). */
  removeParent(): void {
    for (const h of this.hierarchies) {
      try {
        rmdirSync(this.base(h));
      } catch {
        // pods still there, or already gone
      }
    }
  }

  /** The pods that have cgroups under this daemon's parent. */
  listPods(): string[] {
    const out = new Set<string>();
    for (const h of this.hierarchies) {
      try {
        for (const e of readdirSync(this.base(h), { withFileTypes: true })) if (e.isDirectory()) out.add(e.name);
      } catch {
        // no parent yet
      }
    }
    return [...out];
  }

  /** The leaf folder of a run in the tracking hierarchy (for diagnostics and tests). */
  trackingDir(podUid: string, leaf?: string): string {
    return this.dir(this.tracking, podUid, leaf);
  }

  private base(h: Hierarchy): string {
    return join(h.root, 'gitjobs', this.hash);
  }

  private dir(h: Hierarchy, podUid: string, leaf?: string): string {
    return leaf === undefined ? join(this.base(h), podUid) : join(this.base(h), podUid, leaf);
  }
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function enableControllers(dir: string, controllers: readonly string[]): void {
  let have: string[] = [];
  try {
    have = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
  } catch {
    return;
  }
  const missing = controllers.filter((c) => !have.includes(c));
  if (missing.length > 0) tryWrite(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

/** Every pid in a cgroup and its descendants. */
function pidsIn(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string): void => {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l !== '') out.push(Number(l));
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    } catch {
      // removed meanwhile
    }
  };
  walk(dir);
  return out;
}

function killPid(pid: number): void {
  // A cgroup of ours never holds the daemon; the check keeps a mistake from becoming a disaster.
  if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function freeze(dir: string, v2: boolean, on: boolean): boolean {
  if (!tryWrite(join(dir, v2 ? 'cgroup.freeze' : 'freezer.state'), v2 ? (on ? '1' : '0') : on ? 'FROZEN' : 'THAWED')) return false;
  if (!on) return true;
  // Freezing takes effect asynchronously; a short bounded wait, not a sleep.
  for (let i = 0; i < 1000; i++) {
    try {
      const s = readFileSync(join(dir, v2 ? 'cgroup.events' : 'freezer.state'), 'utf8');
      if (v2 ? /^frozen 1$/m.test(s) : s.trim() === 'FROZEN') return true;
    } catch {
      return false;
    }
  }
  return true;
}

/** rmdir, children first; a cgroup folder holds only the kernel's files, which rmdir takes along. */
function rmTree(dir: string): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return true;
  }
  let ok = true;
  for (const e of entries) if (e.isDirectory() && !rmTree(join(dir, e.name))) ok = false;
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
  }
  return ok;
}

/**
 * Once a pod is gone its cgroup goes, after whatever still runs in it: killed,
 * then retried every 100 ms for a while; `giveUp` hears of a cgroup that stays.
 */
export function removeCgroupWhenEmpty(cgroups: PodCgroups, podUid: string, giveUp: (dir: string) => void, tries = 0): void {
  if (cgroups.remove(podUid)) return;
  cgroups.kill(podUid);
  if (tries >= 50) {
    giveUp(cgroups.trackingDir(podUid));
    return;
  }
  const again = setTimeout(() => removeCgroupWhenEmpty(cgroups, podUid, giveUp, tries + 1), 100);
  again.unref();
}
