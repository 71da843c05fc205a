// Checks the SSH signatures of the commits a new revision brings, the way
// `git verify-commit` does with gpg.ssh.allowedSignersFile: find the
// principals the allowed signers give the signing key, then have ssh-keygen
// verify the signed payload for one of them. Commits are read raw so the
// payload is byte for byte what was signed.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { readFailure, SourceFailure } from './git-failure.js';
import { rejectionMessage, verdict, type CheckedCommit, type SignatureResult } from './verify-policy.js';

export interface VerifierOptions {
  /** An allowed_signers file (ssh-keygen(1) ALLOWED SIGNERS); read at every check. */
  allowedSigners: string;
  /** A private folder for signature files (created 0700). */
  tmpDir: string;
  sshKeygen?: string;
  /** Longest one ssh-keygen run may take; default 10 s. */
  timeoutMs?: number;
}

interface Repo {
  gitdir: string;
  cache: object;
  display: string;
}

/** A commit as stored, split into what was signed and the signature. */
export interface SignedCommit {
  oid: string;
  parents: string[];
  subject: string;
  /** Committer time, epoch seconds: when git considers the commit signed. */
  committerTime: number;
  signature: string | undefined;
  payload: Buffer;
}

const SIGNATURE_HEADERS = ['gpgsig', 'gpgsig-sha256'];

/** Splits a raw commit object as git does: signature headers (and their continuation lines) out, the rest is the payload. */
export function parseSignedCommit(oid: string, raw: Buffer): SignedCommit {
  const text = raw.toString('latin1');
  const end = text.indexOf('\n\n');
  const headerEnd = end < 0 ? text.length : end + 1;
  const kept: string[] = [];
  const parents: string[] = [];
  let signature: string[] | undefined;
  let committerTime = 0;
  let inSignature = false;
  let pos = 0;
  while (pos < headerEnd) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl >= headerEnd ? headerEnd : nl + 1;
    const line = text.slice(pos, lineEnd);
    pos = lineEnd;
    if (line.startsWith(' ')) {
      if (inSignature) signature?.push(line.slice(1));
      else kept.push(line);
      continue;
    }
    const sp = line.indexOf(' ');
    const name = sp < 0 ? line.trimEnd() : line.slice(0, sp);
    inSignature = SIGNATURE_HEADERS.includes(name);
    if (inSignature) {
      // The first signature header of the repository's hash is the one checked (SHA-1 here).
      if (name === 'gpgsig' && signature === undefined) signature = [line.slice(sp + 1)];
      continue;
    }
    kept.push(line);
    if (name === 'parent') parents.push(line.slice(sp + 1).trim());
    if (name === 'committer') committerTime = Number(/ (\d+) [+-]\d{4}\s*$/.exec(line)?.[1] ?? 0);
  }
  const body = text.slice(headerEnd);
  const message = Buffer.from(body.replace(/^\n/, ''), 'latin1').toString('utf8');
  return {
    oid,
    parents,
    subject: (message.split('\n')[0] ?? '').trim(),
    committerTime,
    signature: signature?.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join(''),
    payload: Buffer.concat([Buffer.from(kept.join(''), 'latin1'), Buffer.from(body, 'latin1')]),
  };
}

export class CommitVerifier {
  /** Results by commit, valid for one content of the allowed signers file. */
  private results = new Map<string, SignatureResult>();
  private signersHash = '';

  constructor(private readonly o: VerifierOptions) {}

  /** Throws a SourceFailure naming the first commit, oldest first, that does not verify. */
  async check(repo: Repo, head: string, exclude: string | undefined, revision: string): Promise<number> {
    const signers = await this.readSigners();
    let commits: SignedCommit[];
    try {
      commits = exclude === undefined ? [await readCommit(repo, head)] : await commitsBetween(repo, head, exclude);
    } catch (err) {
      throw readFailure(err, repo.display, `the history of ${revision}`);
    }
    const checked: CheckedCommit[] = [];
    for (const c of commits) {
      const result = await this.resultOf(c, signers);
      checked.push({ sha: c.oid, subject: c.subject, result });
      // Later commits cannot change the verdict; ssh-keygen is not run for them.
      if (result.kind !== 'good') break;
    }
    const v = verdict(checked);
    if (!v.ok) throw new SourceFailure('InvalidCommitSignature', rejectionMessage(revision, v));
    return v.verified;
  }

  private async readSigners(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.o.allowedSigners, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
      throw new SourceFailure('VerificationError', `SourceVerified=False: cannot read the allowed signers file '${this.o.allowedSigners}': ${why}`);
    }
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash !== this.signersHash) {
      this.signersHash = hash;
      this.results.clear();
    }
    return this.o.allowedSigners;
  }

  private async resultOf(c: SignedCommit, signers: string): Promise<SignatureResult> {
    const known = this.results.get(c.oid);
    if (known !== undefined) return known;
    const result = await this.verifyOne(c, signers);
    // A failure to run ssh-keygen is not a property of the commit: try again next time.
    if (result.kind !== 'error') this.results.set(c.oid, result);
    return result;
  }

  private async verifyOne(c: SignedCommit, signers: string): Promise<SignatureResult> {
    const sig = c.signature;
    if (sig === undefined) return { kind: 'unsigned' };
    if (!sig.startsWith('-----BEGIN SSH SIGNATURE-----')) return { kind: 'unsupported', format: formatOf(sig) };
    await mkdir(this.o.tmpDir, { recursive: true, mode: 0o700 });
    const file = join(this.o.tmpDir, `sig-${randomBytes(8).toString('hex')}`);
    await writeFile(file, sig, { mode: 0o600, flag: 'wx' });
    try {
      // The key's validity (valid-after/valid-before) is judged at the commit's time, as git does.
      const when = `-Overify-time=${localStamp(c.committerTime)}`;
      const found = await this.keygen(['-Y', 'find-principals', '-f', signers, '-s', file, when]);
      const principals = found.code === 0 ? found.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '') : [];
      if (principals.length === 0) {
        if (/usage:/.test(found.stderr)) return { kind: 'error', detail: 'ssh-keygen is too old for -Y find-principals (OpenSSH 8.2 or later is needed)' };
        const fingerprint = fingerprintOf(sig);
        return fingerprint === undefined ? { kind: 'not-allowed' } : { kind: 'not-allowed', fingerprint };
      }
      let last = '';
      for (const principal of principals) {
        const r = await this.keygen(['-Y', 'verify', '-f', signers, '-I', principal, '-n', 'git', '-s', file, when], c.payload);
        if (r.code === 0 && r.stdout.startsWith('Good')) return { kind: 'good', principal };
        last = oneLine(r.stderr || r.stdout);
      }
      return last === '' ? { kind: 'bad-signature' } : { kind: 'bad-signature', detail: last };
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Runs ssh-keygen without blocking the event loop (a Git server may share this process). */
  private keygen(args: string[], stdin?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
    const program = this.o.sshKeygen ?? 'ssh-keygen';
    return new Promise((resolve, reject) => {
      const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.timeoutMs ?? 10_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = err.code === 'ENOENT' ? `${program} not found` : `cannot run ${program}: ${err.message}`;
        reject(new SourceFailure('VerificationError', `SourceVerified=False: ${why}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? 128, stdout, stderr: signal === 'SIGKILL' && code === null ? `${program} timed out` : stderr });
      });
      // ssh-keygen may exit before reading stdin (find-principals never reads it).
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? Buffer.alloc(0));
    });
  }
}

async function readCommit(repo: Repo, oid: string): Promise<SignedCommit> {
  const { object, type } = await git.readObject({ fs, gitdir: repo.gitdir, cache: repo.cache, oid, format: 'content' });
  if (type !== 'commit') throw new Error(`object ${oid} is a ${type}, not a commit`);
  return parseSignedCommit(oid, Buffer.from(object as Uint8Array));
}

/**
 * The commits reachable from `head` and not from `exclude`, oldest first:
 * `git rev-list exclude..head`. Both sides are walked newest first by
 * committer time, and the walk stops once only excluded commits are left.
 * Clock skew can only make it check an old commit again, never skip a new one.
 */
export async function commitsBetween(repo: Repo, head: string, exclude: string): Promise<SignedCommit[]> {
  const read = new Map<string, SignedCommit>();
  const load = async (oid: string): Promise<SignedCommit> => {
    let c = read.get(oid);
    if (c === undefined) {
      c = await readCommit(repo, oid);
      read.set(oid, c);
    }
    return c;
  };
  const excluded = new Set<string>();
  const seen = new Set<string>();
  const candidates: SignedCommit[] = [];
  const queue: { c: SignedCommit; out: boolean }[] = [];
  const push = async (oid: string, out: boolean): Promise<void> => {
    queue.push({ c: await load(oid), out });
  };
  await push(head, false);
  await push(exclude, true);
  while (queue.some((e) => !e.out)) {
    // Newest first; on a tie the excluded side goes first so it claims shared commits early.
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i]!;
      const b = queue[best]!;
      if (a.c.committerTime > b.c.committerTime || (a.c.committerTime === b.c.committerTime && a.out && !b.out)) best = i;
    }
    const { c, out } = queue.splice(best, 1)[0]!;
    if (out) {
      if (excluded.has(c.oid)) continue;
      excluded.add(c.oid);
      for (const p of c.parents) await push(p, true);
    } else {
      if (excluded.has(c.oid) || seen.has(c.oid)) continue;
      seen.add(c.oid);
      candidates.push(c);
      for (const p of c.parents) await push(p, false);
    }
  }
  return candidates.filter((c) => !excluded.has(c.oid)).reverse();
}

function formatOf(sig: string): string {
  if (sig.startsWith('-----BEGIN PGP')) return 'PGP';
  if (sig.startsWith('-----BEGIN SIGNED MESSAGE-----')) return 'X.509';
  return 'an unknown format';
}

/** The SHA256 fingerprint of the key inside an SSH signature (SSHSIG blob: magic, version, public key, ...). */
export function fingerprintOf(armored: string): string | undefined {
  const b64 = armored.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 14 || blob.subarray(0, 6).toString('latin1') !== 'SSHSIG') return undefined;
  const len = blob.readUInt32BE(10);
  if (14 + len > blob.length) return undefined;
  const key = blob.subarray(14, 14 + len);
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** YYYYMMDDHHMMSS in local time: allowed_signers validity dates carry no zone. */
function localStamp(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
