import { limitHierarchy, type CgroupLayout } from '../executor/containment/cgroups.js';

// What `gitjobs doctor` concludes from what it found on the host: pure, so
// each verdict and the cost it names is table-tested without the host.

export type Verdict = 'ok' | 'warn' | 'missing';

export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What running without it costs (only for warn and missing). */
  cost?: string;
  /** How to get it. */
  fix?: string;
}

export interface HostFacts {
  uid: number;
  node: string;
  cgroups: CgroupLayout;
  /** The cgroup root is writable by this process (only asked when root). */
  cgroupsWritable: boolean;
  supervisorCompiled: boolean;
  compiler: boolean;
  /** The pod user as resolved, or why it could not be; undefined: the daemon's own user. */
  podUser: { name: string; uid: number } | { error: string } | undefined;
  setpriv: boolean;
  /** `unshare --pid --fork --mount-proc true` worked. */
  pidNamespace: boolean;
  /** Free space where the state folder is (or would be). */
  disk: { path: string; freeBytes: number; freeInodes: number | undefined } | undefined;
  systemd: boolean;
}

const GiB = 1024 ** 3;

export function diagnose(f: HostFacts): Check[] {
  const checks: Check[] = [];
  const major = Number(/^v(\d+)/.exec(f.node)?.[1]);
  checks.push(major >= 20 ? { name: 'node', verdict: 'ok', detail: f.node } : { name: 'node', verdict: 'missing', detail: f.node, cost: 'gitjobs needs Node 20 or later', fix: 'install Node 20+' });

  if (f.cgroups.mode === 'none') {
    checks.push({
      name: 'cgroups',
      verdict: 'missing',
      detail: 'no cgroup mounts',
      cost: 'pods are tracked by process group only: a child that calls setsid escapes termination; limits.memory, limits.cpu and --pod-pids-max are not enforced',
      fix: 'mount cgroup2 at /sys/fs/cgroup',
    });
  } else if (f.uid !== 0) {
    checks.push({
      name: 'cgroups',
      verdict: 'warn',
      detail: `${f.cgroups.mode}, not usable: the daemon is not root`,
      cost: 'as without cgroups: no limits, and a workload that calls setsid can outlive its pod',
      fix: 'run the daemon as root (the systemd unit does), with --pod-user for the pods',
    });
  } else if (!f.cgroupsWritable) {
    checks.push({ name: 'cgroups', verdict: 'warn', detail: `${f.cgroups.mode}, read-only here`, cost: 'as without cgroups', fix: 'a writable cgroup2 mount (in a container: --cgroupns=host or a delegated cgroup)' });
  } else {
    const missing = (['memory', 'cpu', 'pids'] as const).filter((l) => limitHierarchy(f.cgroups, l) === undefined);
    const detail = `${f.cgroups.mode}${f.cgroups.unified === undefined ? '' : ` at ${f.cgroups.unified}`}, controllers: ${(['memory', 'cpu', 'pids'] as const).filter((l) => !missing.includes(l)).join(', ') || 'none'}`;
    checks.push(
      missing.length === 0
        ? { name: 'cgroups', verdict: 'ok', detail }
        : {
            name: 'cgroups',
            verdict: 'warn',
            detail,
            cost: missing.map((m) => (m === 'pids' ? '--pod-pids-max is not enforced (a fork bomb reaches the host)' : `limits.${m} is not enforced (pods get a LimitNotEnforced warning)`)).join('; '),
            fix: `enable the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''} (cgroup.subtree_control of the root)`,
          },
    );
  }

  checks.push(
    f.supervisorCompiled
      ? { name: 'supervisor', verdict: 'ok', detail: 'compiled' }
      : {
          name: 'supervisor',
          verdict: 'warn',
          detail: 'the shell supervisor',
          cost: 'each container start forks a shell more (slower starts), and the pod user is switched by setpriv(1) instead of by the supervisor',
          fix: `${f.compiler ? '' : 'install a C compiler (cc), then '}compile it: node "$(npm root -g)/gitjobs/dist/executor/supervisor-build.js"`,
        },
  );

  if (f.uid !== 0) {
    checks.push({ name: 'pod user', verdict: 'warn', detail: `pods run as the daemon's user (uid ${f.uid})`, cost: 'pods can signal the daemon and read its state folder, tokens and secrets', fix: 'run the daemon as root with --pod-user, or as a dedicated user' });
  } else if (f.podUser !== undefined && 'error' in f.podUser) {
    checks.push({ name: 'pod user', verdict: 'missing', detail: f.podUser.error, cost: 'the daemon refuses to start with this --pod-user', fix: 'create the user or pass another --pod-user' });
  } else if (f.podUser === undefined) {
    checks.push({ name: 'pod user', verdict: 'warn', detail: 'root (--pod-user root)', cost: 'pods run as root: they can read every secret and the state database, and undo any limit', fix: '--pod-user nobody (the default) or a dedicated user' });
  } else {
    const how = f.supervisorCompiled ? 'switched by the supervisor' : f.setpriv ? 'switched by setpriv' : 'switched by spawn (setpriv missing: capabilities stay in the bounding set)';
    checks.push({ name: 'pod user', verdict: f.supervisorCompiled || f.setpriv ? 'ok' : 'warn', detail: `${f.podUser.name} (uid ${f.podUser.uid}), ${how}`, ...(f.supervisorCompiled || f.setpriv ? {} : { cost: 'no_new_privs is off and capabilities are not dropped', fix: 'install setpriv (util-linux)' }) });
  }

  checks.push(
    f.pidNamespace
      ? { name: 'namespaces', verdict: 'ok', detail: 'PID namespaces (--pod-pid-namespace) available' }
      : {
          name: 'namespaces',
          verdict: 'warn',
          detail: 'no PID namespace for pods',
          cost: '--pod-pid-namespace is ignored: without --pod-uid-range, pods can read each other\'s environment through /proc',
          fix: f.uid === 0 ? 'install unshare and setpriv (util-linux); in a container, allow CLONE_NEWPID' : 'run the daemon as root',
        },
  );

  if (f.disk === undefined) {
    checks.push({ name: 'disk', verdict: 'warn', detail: 'free space unknown' });
  } else {
    const free = `${(f.disk.freeBytes / GiB).toFixed(1)} GiB free at ${f.disk.path}${f.disk.freeInodes === undefined ? '' : `, ${f.disk.freeInodes} inodes`}`;
    const low = f.disk.freeBytes < GiB || (f.disk.freeInodes !== undefined && f.disk.freeInodes < 100_000);
    checks.push(
      low
        ? { name: 'disk', verdict: 'warn', detail: free, cost: 'logs and the state database fill it: once full, writes fail and the daemon waits (no new pods) until space returns', fix: 'free space, or --state on a larger disk; lower --log-retention' }
        : { name: 'disk', verdict: 'ok', detail: free },
    );
  }

  checks.push(
    f.systemd
      ? { name: 'systemd', verdict: 'ok', detail: 'running: install the unit (docs/service.md)' }
      : { name: 'systemd', verdict: 'warn', detail: 'not running here', cost: 'no service manager restarts the daemon after a crash', fix: 'run it under another supervisor, or on a host with systemd' },
  );
  return checks;
}
