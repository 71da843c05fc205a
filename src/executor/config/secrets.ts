// Secrets from a local folder laid out as a mounted Secret volume looks:
// `<dir>/<namespace>/<secret>/<key>`, one file per key. Read when a container
// starts, never cached and never stored. Every file and folder on the way must
// belong to the daemon's user and be closed to group and others (0600/0700),
// and symbolic links are refused, so nobody but the daemon's user can plant or
// read a value. Messages name files and keys, never a value.

import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage } from '../../errors.js';

export type ContainerConfigErrorCode = 'SecretNotFound' | 'SecretKeyNotFound' | 'SecretRefused' | 'ConfigMapNotFound' | 'SecretInArgv';

/**
 * The container cannot be created as configured: the kubelet's
 * CreateContainerConfigError. The pod waits and the start is tried again.
 */
export class ContainerConfigError extends Error {
  constructor(
    readonly code: ContainerConfigErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export type SecretLookup = { kind: 'value'; value: string } | { kind: 'no-secret' } | { kind: 'no-key' };

/** Where secret values come from; a refused file throws ContainerConfigError. */
export interface SecretSource {
  readKey(namespace: string, name: string, key: string): SecretLookup;
  /** Every key of the secret; undefined when there is no such secret. */
  readAll(namespace: string, name: string): Map<string, string> | undefined;
}

/** A Secret holds at most 1 MiB; a larger file is not one. */
export const MAX_SECRET_BYTES = 1024 * 1024;

export interface EntryFacts {
  isSymbolicLink: boolean;
  isFile: boolean;
  isDirectory: boolean;
  uid: number;
  mode: number;
  size: number;
}

function facts(s: Stats): EntryFacts {
  return { isSymbolicLink: s.isSymbolicLink(), isFile: s.isFile(), isDirectory: s.isDirectory(), uid: s.uid, mode: s.mode, size: s.size };
}

const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/**
 * Why an entry of the secrets folder may not be read, or undefined when it
 * may. Pure, so every rule is table-tested.
 */
export function refusal(path: string, e: EntryFacts, daemonUid: number, kind: 'file' | 'folder'): string | undefined {
  const what = kind === 'file' ? 'secret file' : 'secrets folder';
  const start = `refusing to read ${what} ${path}`;
  if (e.isSymbolicLink) return `${start}: it is a symbolic link; put a regular ${kind} there instead`;
  if (kind === 'file' && !e.isFile) return `${start}: it is not a regular file`;
  if (kind === 'folder' && !e.isDirectory) return `${start}: it is not a folder`;
  if (e.uid !== daemonUid) return `${start}: it belongs to uid ${e.uid}, not to uid ${daemonUid} that the daemon runs as; run chown ${daemonUid} ${path}`;
  if ((e.mode & 0o077) !== 0) {
    const fix = kind === 'file' ? 'chmod 600' : 'chmod 700';
    return `${start}: its mode is ${octal(e.mode)}, so group or others can ${kind === 'file' ? 'read' : 'list'} it; run ${fix} ${path}`;
  }
  if (kind === 'file' && e.size > MAX_SECRET_BYTES) return `${start}: it is larger than ${MAX_SECRET_BYTES} bytes, the most a Secret can hold`;
  return undefined;
}

/** A value as an environment variable can carry it, or why it cannot. */
export function valueProblem(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return 'it contains a NUL byte, which an environment variable cannot hold';
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return 'it is not valid UTF-8, which an environment variable must be here';
  return undefined;
}

/** Names that are single path components inside the folder: never empty, `.`, `..` or with a slash. */
function safeComponent(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\0');
}

export class SecretsFolder implements SecretSource {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly daemonUid: number = process.getuid?.() ?? 0,
  ) {
    this.dir = resolve(dir);
  }

  readKey(namespace: string, name: string, key: string): SecretLookup {
    const folder = this.secretFolder(namespace, name);
    if (folder === undefined) return { kind: 'no-secret' };
    if (!safeComponent(key) || key.startsWith('..')) return { kind: 'no-key' };
    const value = this.readFile(join(folder, key));
    return value === undefined ? { kind: 'no-key' } : { kind: 'value', value };
  }

  readAll(namespace: string, name: string): Map<string, string> | undefined {
    const folder = this.secretFolder(namespace, name);
    if (folder === undefined) return undefined;
    const out = new Map<string, string>();
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      // `..data` and the like are a mounted volume's internals, not keys; sub-folders are not keys either.
      if (entry.name.startsWith('..') || entry.isDirectory()) continue;
      const value = this.readFile(join(folder, entry.name));
      if (value !== undefined) out.set(entry.name, value);
    }
    return out;
  }

  /** The secret's folder once every folder on the way is checked; undefined when one is missing. */
  private secretFolder(namespace: string, name: string): string | undefined {
    if (!safeComponent(namespace) || !safeComponent(name)) return undefined;
    // The top folder is the operator's own choice (a flag), so a link to it is followed; below it, none is.
    if (!this.checkFolder(this.dir, statSync)) return undefined;
    const ns = join(this.dir, namespace);
    if (!this.checkFolder(ns, lstatSync)) return undefined;
    const folder = join(ns, name);
    return this.checkFolder(folder, lstatSync) ? folder : undefined;
  }

  private checkFolder(path: string, stat: (p: string) => Stats): boolean {
    let s: Stats;
    try {
      s = stat(path);
    } catch (err) {
      if (isMissing(err)) return false;
      throw new ContainerConfigError('SecretRefused', `cannot read secrets folder ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const why = refusal(path, facts(s), this.daemonUid, 'folder');
    if (why !== undefined) throw new ContainerConfigError('SecretRefused', why);
    return true;
  }

  /** The file's text; undefined when it does not exist. */
  private readFile(path: string): string | undefined {
    let fd: number;
    try {
      // O_NOFOLLOW: a link swapped in after a check is still not followed; O_NONBLOCK: a FIFO cannot hang the daemon.
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      if (isMissing(err)) return undefined;
      const code = (err as NodeJS.ErrnoException).code;
      const link = code === 'ELOOP' ? refusal(path, { isSymbolicLink: true, isFile: false, isDirectory: false, uid: -1, mode: 0, size: 0 }, this.daemonUid, 'file') : undefined;
      throw new ContainerConfigError('SecretRefused', link ?? `cannot read secret file ${path}: ${code ?? 'error'}`);
    }
    try {
      const why = refusal(path, facts(fstatSync(fd)), this.daemonUid, 'file');
      if (why !== undefined) throw new ContainerConfigError('SecretRefused', why);
      const bytes = readAll(fd, path);
      const problem = valueProblem(bytes);
      if (problem !== undefined) throw new ContainerConfigError('SecretRefused', `refusing to use secret file ${path}: ${problem}`);
      return bytes.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }
}

function readAll(fd: number, path: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    // The size was checked, but the file may have grown since.
    if (total > MAX_SECRET_BYTES) throw new ContainerConfigError('SecretRefused', `refusing to read secret file ${path}: it is larger than ${MAX_SECRET_BYTES} bytes, the most a Secret can hold`);
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The daemon's secrets folder: created closed (0700) when missing, so the
 * default `<state>/secrets` is ready to fill; one that is open to others is
 * reported at start (every read would be refused until it is fixed).
 */
export function openSecretsFolder(dir: string, logger: { warn: (msg: string, fields?: Record<string, unknown>) => void }): SecretsFolder {
  const folder = new SecretsFolder(dir);
  try {
    mkdirSync(folder.dir, { recursive: true, mode: 0o700 });
    const why = refusal(folder.dir, facts(statSync(folder.dir)), process.getuid?.() ?? 0, 'folder');
    if (why !== undefined) logger.warn('secrets folder unusable: pods that need a secret will not start', { reason: why });
  } catch (err) {
    logger.warn('secrets folder unusable: pods that need a secret will not start', { folder: folder.dir, error: errorMessage(err) });
  }
  return folder;
}
