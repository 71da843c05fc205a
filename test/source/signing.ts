// Real SSH signing keys and commits signed by the git CLI, for signature checks.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, type WorkRepo } from './fixture.js';

export interface SigningKeys {
  dir: string;
  trusted: string;
  rogue: string;
  /** An allowed_signers file naming only the trusted key. */
  allowed: string;
}

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

export function makeKeys(): SigningKeys {
  const dir = tempDir('gitjobs-keys-');
  const trusted = join(dir, 'trusted');
  const rogue = join(dir, 'rogue');
  keygen(trusted);
  keygen(rogue);
  const allowed = join(dir, 'allowed_signers');
  writeFileSync(allowed, `ada@example.com ${readFileSync(`${trusted}.pub`, 'utf8')}`);
  return { dir, trusted, rogue, allowed };
}

/** Stages everything and commits, signed with `key` (a private key file) or unsigned; returns the oid. */
export function commitSigned(repo: WorkRepo, subject: string, key: string | undefined): string {
  repo.git('add', '-A');
  const sign = key === undefined ? [] : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`];
  repo.git(...sign, 'commit', '-q', '--allow-empty', ...(key === undefined ? [] : ['-S']), '-m', subject);
  return repo.head();
}

/** What stock git says of a commit's signature against an allowed_signers file: G, U, N, B... */
export function gitVerdict(repo: WorkRepo, allowed: string, rev = 'HEAD'): string {
  return repo.git('-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'log', '-1', '--format=%G?', rev);
}
