import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Container } from '../../api/types.js';
import type { Logger } from '../../util/logger.js';
import { describeCgroups, detectCgroups, type CgroupLayout } from './cgroups.js';
import { findProgram, pidNamespaceArgv, resolvePodUser, setprivArgv, type PodIdentity } from './identity.js';
import { PodCgroups, stateHash, type RunLimits } from './pod-cgroups.js';
import { parseQuantity } from '../../api/quantity.js';
import { chooseSupervisor, type Supervisor } from '../runtime/supervisor.js';
import { errorMessage } from '../../errors.js';

// What the daemon can do on this host to contain pods, decided once at start
// and reported in its start log line.

/** The daemon's flags for containing pods. */
export interface PodContainmentFlags {
  /** `--pod-user`: USER[:GROUP]; `root` keeps the daemon's own user. */
  podUser: string;
  /** `--pod-pids-max`: processes and threads per pod; 0 for no limit. */
  podPidsMax: number;
  /** `--pod-pid-namespace`: each pod in a PID namespace of its own. */
  pidNamespace: boolean;
  /** `--pod-log-max-size` in bytes; 0 for no cap. */
  logMaxBytes: number;
  /** Skip cgroups whatever the host offers. */
  noCgroups: boolean;
  /** `--pod-uid-range`: each live pod gets a uid of its own from this range (the group stays --pod-user's). */
  podUidRange?: UidRange;
}

export interface UidRange {
  first: number;
  last: number;
}

export const DEFAULT_CONTAINMENT: PodContainmentFlags = {
  podUser: 'nobody',
  // Threads count: an idle Node process has about 7, so this leaves room for real programs.
  podPidsMax: 1024,
  pidNamespace: false,
  // The kubelet's containerLogMaxSize default.
  logMaxBytes: 10 * 1024 * 1024,
  noCgroups: false,
};

export interface ContainmentOptions extends Partial<PodContainmentFlags> {
  stateDir: string;
  logger: Logger;
  /** For tests: the host's layout and the daemon's uid. */
  layout?: CgroupLayout;
  daemonUid?: number;
  /** For tests: the supervisor to use; the compiled one when it was built. */
  supervisor?: Supervisor;
}

export interface Containment {
  cgroups: PodCgroups | undefined;
  /** Undefined: pods run as the daemon's user. */
  identity: PodIdentity | undefined;
  /**
   * How the identity is switched: by the compiled supervisor or setpriv
   * (everything dropped), or by Node's spawn uid/gid (capabilities stay in the
   * bounding set).
   */
  switchBy: 'supervisor' | 'setpriv' | 'spawn' | undefined;
  /** The program that supervises each container run (not yet installed in the state folder). */
  supervisor: Supervisor | undefined;
  /** Programs put before the workload's argv, in order, for the pod user. */
  prefix: string[];
  /** The same for another identity (a pod's own uid); the pod user's when undefined. */
  prefixFor(id: PodIdentity | undefined): string[];
  /** The user the supervisor itself switches the workload to, when it does (switchBy 'supervisor'). */
  dropFor(id: PodIdentity | undefined): { uid: number; gid: number } | undefined;
  /** Pods get uids of their own from here (needs a pod user: the daemon is root). */
  uidRange: UidRange | undefined;
  logMaxBytes: number | undefined;
  /** For the daemon's start log line. */
  summary: Record<string, string | number | boolean>;
}

/** Nothing contained: today's behaviour, for a Kubelet built without options. */
export const NO_CONTAINMENT: Containment = {
  cgroups: undefined,
  identity: undefined,
  switchBy: undefined,
  supervisor: undefined,
  prefix: [],
  prefixFor: () => [],
  dropFor: () => undefined,
  uidRange: undefined,
  logMaxBytes: undefined,
  summary: {},
};

export function setUpContainment(options: ContainmentOptions): Containment {
  const o = { ...DEFAULT_CONTAINMENT, ...stripUndefined(options) } as ContainmentOptions & PodContainmentFlags;
  const daemonUid = o.daemonUid ?? process.getuid?.() ?? -1;
  const layout = o.layout ?? detectCgroups();
  let cgroups: PodCgroups | undefined;
  let cgroupText = describeCgroups(layout);
  if (o.noCgroups === true) cgroupText = 'off';
  else if (layout.mode !== 'none' && daemonUid === 0) {
    try {
      cgroups = new PodCgroups(layout, stateHash(o.stateDir), o.podPidsMax);
      cgroups.init();
    } catch (err) {
      cgroups = undefined;
      o.logger.warn('cgroups unusable: pods are tracked by process group only, without limits', { error: errorMessage(err) });
      cgroupText = 'unusable';
    }
  } else if (layout.mode !== 'none') {
    o.logger.warn('cgroups need a root daemon: pods are tracked by process group only, without limits');
    cgroupText = `${layout.mode} (not used: the daemon is not root)`;
  }

  const identity = resolvePodUser(o.podUser, daemonUid);
  const supervisor = o.supervisor ?? chooseSupervisor();
  // A PID namespace is made by unshare(1) as root, then the user is dropped inside it: setpriv's job then.
  const setpriv = identity === undefined || (supervisor.native && !o.pidNamespace) ? undefined : findProgram('setpriv');
  let switchBy: Containment['switchBy'];
  if (identity !== undefined) {
    switchBy = supervisor.native && !o.pidNamespace ? 'supervisor' : setpriv !== undefined ? 'setpriv' : 'spawn';
    if (switchBy === 'spawn') o.logger.warn('setpriv(1) not found: pods switch user through spawn; their capability bounding set stays full and no_new_privs is off');
  } else if (daemonUid === 0) {
    o.logger.warn('pods run as root (--pod-user=root)');
  }
  const namespace: string[] = [];
  if (o.pidNamespace) {
    const unshare = daemonUid === 0 && switchBy !== 'spawn' ? findProgram('unshare') : undefined;
    if (unshare === undefined) o.logger.warn('--pod-pid-namespace needs unshare(1), setpriv(1) and a root daemon: pods share the host PID namespace');
    else namespace.push(...pidNamespaceArgv(unshare));
  }
  const prefixFor = (id: PodIdentity | undefined): string[] => {
    const who = id ?? identity;
    return who !== undefined && setpriv !== undefined ? [...namespace, ...setprivArgv(setpriv, who)] : [...namespace];
  };
  const dropFor = (id: PodIdentity | undefined): { uid: number; gid: number } | undefined => {
    const who = id ?? identity;
    return switchBy === 'supervisor' && who !== undefined ? { uid: who.uid, gid: who.gid } : undefined;
  };
  const prefix = prefixFor(identity);
  const uidRange = identity !== undefined ? o.podUidRange : undefined;
  if (o.podUidRange !== undefined && uidRange === undefined) o.logger.warn('--pod-uid-range needs a root daemon and a pod user other than root: pods share one user');
  if (identity !== undefined) {
    const blocked = unreachableFolder(o.stateDir, identity);
    if (blocked !== undefined) {
      o.logger.warn('pods cannot reach the state folder: their emptyDir volumes will not be usable; make the folder searchable (chmod o+x) or use --pod-user root', {
        folder: blocked,
        podUser: identity.name,
      });
    }
  }
  const summary: Containment['summary'] = {
    cgroups: cgroupText,
    podUser: identity === undefined ? `daemon's own (uid ${daemonUid})` : `${identity.name} (${identity.uid}:${identity.gid}${switchBy === 'spawn' ? ', capabilities kept' : ''})`,
    supervisor: supervisor.native ? 'compiled' : 'shell',
    pidNamespace: prefix.some((p) => p.endsWith('unshare')),
    ...(uidRange === undefined ? {} : { podUids: `${uidRange.first}-${uidRange.last}` }),
    podPidsMax: cgroups?.enforces('pids') === true && o.podPidsMax > 0 ? o.podPidsMax : 'unlimited',
    podLogMaxSize: o.logMaxBytes > 0 ? o.logMaxBytes : 'unlimited',
  };
  return { cgroups, identity, switchBy, supervisor, prefix, prefixFor, dropFor, uidRange, logMaxBytes: o.logMaxBytes > 0 ? o.logMaxBytes : undefined, summary };
}

/** A container's limits as the cgroups take them (requests are the scheduler's, see src/scheduler/). */
export function runLimits(c: Container): RunLimits {
  const out: RunLimits = {};
  const mem = c.resources?.limits?.memory;
  const cpu = c.resources?.limits?.cpu;
  const m = mem === undefined ? undefined : parseQuantity(mem);
  const p = cpu === undefined ? undefined : parseQuantity(cpu);
  if (m !== undefined && m > 0) out.memoryBytes = m;
  if (p !== undefined && p > 0) out.cpu = p;
  return out;
}

/**
 * The limits of a container this host cannot enforce, as the Warning the pod
 * gets: the pod runs anyway, as a kubelet runs a pod whose limits its runtime ignores.
 */
export function unenforcedLimits(c: Container, cgroups: PodCgroups | undefined, failed: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const name of Object.keys(c.resources?.limits ?? {})) {
    const enforceable = (name === 'memory' || name === 'cpu') && cgroups?.enforces(name) === true && !failed.includes(name);
    if (!enforceable) out.push(name);
  }
  return out;
}

/** The first folder on the way to dir the pod's user may not search (no x for it), if any. */
export function unreachableFolder(dir: string, id: { uid: number; gid: number }): string | undefined {
  let path = resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(path);
    const up = dirname(path);
    if (up === path) break;
    path = up;
  }
  for (const p of chain) {
    let st;
    try {
      st = statSync(p);
    } catch {
      return undefined; // created later, by us, searchable
    }
    const bit = st.uid === id.uid ? 0o100 : st.gid === id.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return p;
  }
  return undefined;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
