import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GitjobsError } from '../../errors.js';

// Who a pod's processes run as. A daemon running as root drops every pod to
// an unprivileged user: no supplementary groups, no capabilities (not even in
// the bounding set) and no_new_privs, so a setuid binary cannot take them back.

export interface PodIdentity {
  uid: number;
  gid: number;
  /** As the user was given (or found in /etc/passwd), for logs. */
  name: string;
  /** The user's home folder from /etc/passwd; HOME for its containers. */
  home: string;
}

const NOBODY: PodIdentity = { uid: 65534, gid: 65534, name: 'nobody', home: '/nonexistent' };

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || f[0] === '' || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) out.push({ name: f[0]!, uid, gid, home: f[5] ?? '/' });
  }
  return out;
}

export function parseGroups(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] !== '' && Number.isInteger(Number(f[2]))) out.set(f[0]!, Number(f[2]));
  }
  return out;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * `--pod-user USER[:GROUP]`, names or numbers. Undefined means the pods keep the
 * daemon's own user: asked for root, or the daemon is not root (it could not
 * switch anyway).
 */
export function resolvePodUser(
  spec: string,
  daemonUid: number,
  files: { passwd: string; group: string } = { passwd: readOr('/etc/passwd'), group: readOr('/etc/group') },
): PodIdentity | undefined {
  if (daemonUid !== 0) return undefined;
  const [user = '', group] = spec.split(':', 2);
  if (user === '') throw new GitjobsError('Usage', `--pod-user: "${spec}" names no user`);
  const users = parsePasswd(files.passwd);
  let id: PodIdentity;
  if (/^\d+$/.test(user)) {
    const uid = Number(user);
    const known = users.find((u) => u.uid === uid);
    id = { uid, gid: known?.gid ?? uid, name: known?.name ?? user, home: known?.home ?? '/' };
  } else {
    const known = users.find((u) => u.name === user);
    if (known === undefined) {
      if (user !== 'nobody') throw new GitjobsError('Usage', `--pod-user: no user "${user}" in /etc/passwd`);
      id = { ...NOBODY };
    } else {
      id = { uid: known.uid, gid: known.gid, name: known.name, home: known.home };
    }
  }
  if (group !== undefined && group !== '') {
    if (/^\d+$/.test(group)) id.gid = Number(group);
    else {
      const gid = parseGroups(files.group).get(group);
      if (gid === undefined) throw new GitjobsError('Usage', `--pod-user: no group "${group}" in /etc/group`);
      id.gid = gid;
    }
  }
  return id.uid === 0 ? undefined : id;
}

/** A program on PATH or in the usual system folders; undefined if absent. */
export function findProgram(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  const dirs = [...pathVar.split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'].filter((d) => d !== '');
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** setpriv's flags: the user, no groups, no capabilities at all, no_new_privs. */
export function setprivArgv(setpriv: string, id: PodIdentity): string[] {
  return [setpriv, `--reuid=${id.uid}`, `--regid=${id.gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--'];
}

/** A PID namespace with its own /proc: the pod sees only its own processes. */
export function pidNamespaceArgv(unshare: string): string[] {
  return [unshare, '--pid', '--fork', '--mount-proc', '--kill-child', '--'];
}
