import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { detectCgroups } from '../../executor/containment/cgroups.js';
import { findProgram, resolvePodUser } from '../../executor/containment/identity.js';
import { chooseSupervisor } from '../../executor/runtime/supervisor.js';
import { diagnose, type Check, type HostFacts } from '../../doctor/checks.js';
import { GitjobsError } from '../../errors.js';
import { parseCommandOrHelp } from '../args.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Report what this host allows a daemon, and what each missing part costs.

Usage:
  gitjobs doctor [--state DIR] [--pod-user USER[:GROUP]] [-o text|json]

Checks Node, cgroups and their controllers, the compiled supervisor, the pod
user, PID namespaces, free disk where the state folder is, and systemd. Exits 1
when something the daemon needs is missing, else 0 (warnings included).
`;

export function doctorCommand(argv: string[], io: Io): number {
  const parsed = parseCommandOrHelp('doctor', argv, { state: { type: 'string' }, 'pod-user': { type: 'string' }, output: { type: 'string', short: 'o' } }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'doctor');
  const output = (values.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'json') throw usageError('-o takes text or json', 'doctor');
  const checks = diagnose(gatherFacts(stateDirFrom(values.state as string | undefined), (values['pod-user'] as string | undefined) ?? (process.env.GITJOBS_POD_USER || 'nobody')));
  io.out(output === 'json' ? JSON.stringify({ checks }, null, 2) + '\n' : render(checks));
  return checks.some((c) => c.verdict === 'missing') ? 1 : 0;
}

function render(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  let out = '';
  for (const c of checks) {
    out += `${c.verdict.toUpperCase().padEnd(7)} ${c.name.padEnd(width)}  ${c.detail}\n`;
    const pad = ' '.repeat(8 + width + 2);
    if (c.cost !== undefined) out += `${pad}costs: ${c.cost}\n`;
    if (c.fix !== undefined && c.verdict !== 'ok') out += `${pad}fix: ${c.fix}\n`;
  }
  return out;
}

/** Reads the host: /proc, /sys, /etc/passwd, one statfs and, as root, one `unshare` run. */
function gatherFacts(stateDir: string, podUser: string): HostFacts {
  const uid = process.getuid?.() ?? -1;
  const cgroups = detectCgroups();
  let cgroupsWritable = false;
  if (uid === 0 && cgroups.unified !== undefined) cgroupsWritable = writable(cgroups.unified);
  else if (uid === 0 && cgroups.mode !== 'none') cgroupsWritable = Object.values(cgroups.v1).some((p) => p !== undefined && writable(p));
  let user: HostFacts['podUser'];
  try {
    const id = resolvePodUser(podUser, uid);
    user = id === undefined ? undefined : { name: id.name, uid: id.uid };
  } catch (err) {
    user = { error: err instanceof GitjobsError ? err.message : String(err) };
  }
  const unshare = findProgram('unshare');
  const pidNamespace = uid === 0 && unshare !== undefined && spawnSync(unshare, ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return {
    uid,
    node: process.version,
    cgroups,
    cgroupsWritable,
    supervisorCompiled: chooseSupervisor().native,
    compiler: findProgram('cc') !== undefined,
    podUser: uid === 0 ? user : undefined,
    setpriv: findProgram('setpriv') !== undefined,
    pidNamespace,
    disk: diskAt(resolve(stateDir)),
    systemd: existsSync('/run/systemd/system'),
  };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Free space of the state folder, or of its nearest existing parent before the first start. */
function diskAt(path: string): HostFacts['disk'] {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return { path: p, freeBytes: s.bavail * s.bsize, freeInodes: s.files > 0 ? s.ffree : undefined };
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}
