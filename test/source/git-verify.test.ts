import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommitVerifier, commitsBetween } from '../../src/source/git-verify.js';
import { SourceFailure } from '../../src/source/git-failure.js';
import { removeTempDirs, tempDir, WorkRepo } from './fixture.js';
import { commitSigned, gitVerdict, makeKeys } from './signing.js';

afterAll(() => removeTempDirs());

const keys = makeKeys();
const repoOf = (w: WorkRepo) => ({ gitdir: join(w.dir, '.git'), cache: {}, display: w.dir });
const verifier = (allowed = keys.allowed) => new CommitVerifier({ allowedSigners: allowed, tmpDir: join(tempDir(), 'verify') });

async function failure(p: Promise<unknown>): Promise<SourceFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SourceFailure) return err;
    throw err;
  }
  throw new Error('expected the check to fail');
}

describe('checking the signature of one commit, as git verify-commit does', () => {
  it('agrees with git on a trusted, a rogue, an unsigned and a tampered commit', async () => {
    const w = WorkRepo.init();
    w.write('a.txt', 'a');
    const trusted = commitSigned(w, 'Trusted change', keys.trusted);
    w.write('b.txt', 'b');
    const rogue = commitSigned(w, 'Rogue change', keys.rogue);
    w.write('c.txt', 'c');
    const unsigned = commitSigned(w, 'Unsigned change', undefined);
    // The trusted commit's signature over a different message.
    const raw = w.git('cat-file', 'commit', trusted).replace('Trusted change', 'Tampered change');
    const forged = hashObject(w, raw + '\n');

    expect([trusted, rogue, unsigned, forged].map((c) => gitVerdict(w, keys.allowed, c))).toEqual(['G', 'U', 'N', 'B']);
    const v = verifier();
    const repo = repoOf(w);
    await expect(v.check(repo, trusted, undefined, 'r')).resolves.toBe(1);
    expect((await failure(v.check(repo, rogue, undefined, 'r'))).message).toMatch(
      new RegExp(`commit ${rogue.slice(0, 7)} "Rogue change" is signed by a key not in the allowed signers \\(SHA256:[A-Za-z0-9+/]{43}\\)$`),
    );
    expect((await failure(v.check(repo, unsigned, undefined, 'r'))).message).toMatch(/"Unsigned change" is not signed$/);
    const bad = await failure(v.check(repo, forged, undefined, 'r'));
    expect(bad.reason).toBe('InvalidCommitSignature');
    expect(bad.message).toMatch(/"Tampered change" has a bad signature/);
  });

  it('the fingerprint named for a rogue key is the one ssh-keygen prints', async () => {
    const w = WorkRepo.init();
    const rogue = commitSigned(w, 'Rogue', keys.rogue);
    const printed = w.git('-c', `gpg.ssh.allowedSignersFile=${keys.allowed}`, 'log', '-1', '--format=%GF', rogue);
    const err = await failure(verifier().check(repoOf(w), rogue, undefined, 'r'));
    expect(printed).toMatch(/^SHA256:/);
    expect(err.message).toContain(`(${printed})`);
  });

  it('a missing allowed signers file is a VerificationError naming the file', async () => {
    const w = WorkRepo.init();
    const c = commitSigned(w, 'One', keys.trusted);
    const err = await failure(verifier(join(keys.dir, 'nope')).check(repoOf(w), c, undefined, 'r'));
    expect(err.reason).toBe('VerificationError');
    expect(err.message).toBe(`SourceVerified=False: cannot read the allowed signers file '${join(keys.dir, 'nope')}': no such file or directory`);
  });
});

describe('the commits a new revision brings (git rev-list OLD..NEW)', () => {
  it('matches git rev-list across merges of branches forked before the applied commit', async () => {
    const w = WorkRepo.init();
    w.write('x', '0');
    commitSigned(w, 'root', undefined);
    w.git('checkout', '-q', '-b', 'side');
    w.write('side', '1');
    commitSigned(w, 'side 1', undefined);
    w.git('checkout', '-q', 'main');
    w.write('x', '1');
    const old = commitSigned(w, 'main 1', undefined);
    w.git('checkout', '-q', 'side');
    w.write('side', '2');
    commitSigned(w, 'side 2', undefined);
    w.git('checkout', '-q', 'main');
    w.git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    w.write('x', '2');
    const head = commitSigned(w, 'main 2', undefined);
    const expected = w.git('rev-list', '--reverse', `${old}..${head}`).split('\n');
    const got = (await commitsBetween(repoOf(w), head, old)).map((c) => c.oid);
    expect(new Set(got)).toEqual(new Set(expected));
    expect(got).toHaveLength(4);
  });
});

function hashObject(w: WorkRepo, text: string): string {
  const r = spawnSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: w.dir, input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}
