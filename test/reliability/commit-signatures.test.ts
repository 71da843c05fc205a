import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli, condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { jobYaml, removeTempDirs, WorkRepo } from '../source/fixture.js';
import { commitSigned, gitVerdict, makeKeys } from '../source/signing.js';

// A daemon following a local repository with --verify-commits: real SSH keys,
// commits signed by the git CLI, and only the CLI to observe what was applied.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});
afterAll(() => removeTempDirs());

const keys = makeKeys();

const short = (sha: string) => sha.slice(0, 7);
const sourceRow = () => d!.cli(['get', 'sources', '--no-headers']).stdout;

async function follow(repo: WorkRepo, extra: string[] = [], allowed = keys.allowed): Promise<DaemonHandle> {
  d = await startDaemon({ sourceArgs: ['--repo', repo.dir, '--verify-commits', allowed, ...extra] });
  return d;
}

const finished = (name: string) => () => {
  const job = d!.job(name);
  return job !== undefined && (condition(job, 'Complete') || condition(job, 'Failed')) ? job : undefined;
};

/** Waits until the source reports the refusal of `head`, and returns the row. */
function refused(head: string, reason: string): Promise<string> {
  return waitFor(`refusal of ${short(head)}`, () => {
    const row = sourceRow();
    return row.includes(`refusing main@sha1:${head}`) && new RegExp(`False\\s+${reason}:`).test(row) ? row : undefined;
  });
}

describe('commit signatures (--verify-commits)', () => {
  it('44: an unsigned head is not applied, the previous revision stays; signing it applies it', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    const first = commitSigned(repo, 'Add one', keys.trusted);
    await follow(repo);
    const one = await waitFor('one finished', finished('one'));

    repo.write('jobs/two.yaml', jobYaml('two'));
    const unsigned = commitSigned(repo, 'Add two', undefined);
    const row = await refused(unsigned, 'InvalidCommitSignature');
    // The last applied revision stays in force and is what the row shows.
    expect(row).toContain(`main@sha1:${first}`);
    expect(row).toContain(`SourceVerified=False: refusing main@sha1:${unsigned}: commit ${short(unsigned)} "Add two" is not signed`);
    expect(d!.cli(['get', 'events']).stdout).toMatch(/Warning\s+InvalidCommitSignature\s+source\/\S+\s+SourceVerified=False: .*is not signed/);
    const sync = d!.cli(['sync']);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain(`commit ${short(unsigned)} "Add two" is not signed`);
    expect(d!.job('two')).toBeUndefined();
    expect(d!.job('one')!.metadata.uid).toBe(one.metadata.uid);
    expect(d!.pods('job-name=one')).toHaveLength(1);

    // The same change, signed by the trusted key, goes through.
    repo.git('reset', '-q', '--soft', first);
    const signed = commitSigned(repo, 'Add two', keys.trusted);
    await waitFor('two finished', finished('two'));
    expect(sourceRow()).toMatch(new RegExp(`main@sha1:${signed}\\s+True`));
    expect(d!.job('one')!.metadata.uid).toBe(one.metadata.uid);
  });

  it('45: a trusted head over an unsigned or a rogue-signed parent is refused: every new commit must verify', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    const first = commitSigned(repo, 'Add one', keys.trusted);
    await follow(repo);
    const one = await waitFor('one finished', finished('one'));

    repo.write('jobs/sneak.yaml', jobYaml('sneak', 'echo pwned'));
    const sneak = commitSigned(repo, 'Sneak in a job', undefined);
    repo.write('jobs/fine.yaml', jobYaml('fine'));
    const head = commitSigned(repo, 'Looks fine', keys.trusted);
    // Checking the head alone would let the unsigned commit under it through.
    expect(gitVerdict(repo, keys.allowed, head)).toBe('G');
    let row = await refused(head, 'InvalidCommitSignature');
    expect(row).toContain(`commit ${short(sneak)} "Sneak in a job" is not signed`);

    repo.write('jobs/rogue.yaml', jobYaml('rogue', 'echo pwned'));
    commitSigned(repo, 'Rogue change', keys.rogue);
    repo.write('jobs/fine2.yaml', jobYaml('fine2'));
    const head2 = commitSigned(repo, 'Also fine', keys.trusted);
    row = await refused(head2, 'InvalidCommitSignature');
    // The oldest failing commit is named first.
    expect(row).toContain(`commit ${short(sneak)} "Sneak in a job" is not signed`);
    expect(['sneak', 'fine', 'rogue', 'fine2'].map((n) => d!.job(n))).toEqual([undefined, undefined, undefined, undefined]);
    expect(d!.job('one')!.metadata.uid).toBe(one.metadata.uid);

    // Signed properly, the same changes apply; a rogue commit under a trusted head is then the one named.
    repo.git('reset', '-q', '--soft', first);
    repo.remove('jobs/rogue.yaml').remove('jobs/fine2.yaml');
    commitSigned(repo, 'Sneak and fine, now signed', keys.trusted);
    await waitFor('the signed version applied', () => finished('sneak')() && finished('fine')());
    repo.write('jobs/rogue.yaml', jobYaml('rogue', 'echo pwned'));
    const rogue2 = commitSigned(repo, 'Rogue change', keys.rogue);
    repo.write('jobs/fine2.yaml', jobYaml('fine2'));
    const head3 = commitSigned(repo, 'Also fine', keys.trusted);
    row = await refused(head3, 'InvalidCommitSignature');
    expect(row).toMatch(new RegExp(`commit ${short(rogue2)} "Rogue change" is signed by a key not in the allowed signers \\(SHA256:`));
    expect(d!.job('rogue')).toBeUndefined();
    expect(d!.job('fine2')).toBeUndefined();
    expect(d!.job('one')!.metadata.uid).toBe(one.metadata.uid);
  });

  it('46: a head signed by a key outside the allowed signers is refused until that key is allowed', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    commitSigned(repo, 'Add one', keys.trusted);
    const allowed = join(keys.dir, 'allowed-46');
    writeFileSync(allowed, `ada@example.com ${readKey(keys.trusted)}`);
    await follow(repo, [], allowed);
    await waitFor('one finished', finished('one'));

    repo.write('jobs/two.yaml', jobYaml('two'));
    const rogue = commitSigned(repo, 'Add two', keys.rogue);
    const row = await refused(rogue, 'InvalidCommitSignature');
    expect(row).toMatch(/is signed by a key not in the allowed signers \(SHA256:[A-Za-z0-9+/]{43}\)/);
    expect(d!.job('two')).toBeUndefined();

    // The file is read at every check: allowing the key lets the same commit through.
    writeFileSync(allowed, `ada@example.com ${readKey(keys.trusted)}bob@example.com ${readKey(keys.rogue)}`);
    const sync = d!.cli(['sync']);
    expect(sync.stderr).toBe('');
    expect(sync.stdout).toContain(rogue);
    await waitFor('two finished', finished('two'));
  });

  it('an unreadable allowed signers file: not ready, nothing applied, until it exists', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    const head = commitSigned(repo, 'Add one', keys.trusted);
    const allowed = join(keys.dir, 'allowed-later');
    await follow(repo, [], allowed);
    expect(sourceRow()).toMatch(/False\s+VerificationError: SourceVerified=False: cannot read the allowed signers file '.*allowed-later': no such file or directory/);
    expect(d!.job('one')).toBeUndefined();
    writeFileSync(allowed, `ada@example.com ${readKey(keys.trusted)}`);
    expect(d!.cli(['sync']).stdout).toContain(head);
    await waitFor('one finished', finished('one'));
  });

  it('a force-push is refused by default, even when signed', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    const first = commitSigned(repo, 'Add one', keys.trusted);
    repo.write('jobs/two.yaml', jobYaml('two'));
    const second = commitSigned(repo, 'Add two', keys.trusted);
    await follow(repo);
    await waitFor('two finished', finished('two'));

    repo.git('reset', '-q', '--hard', first);
    repo.write('jobs/three.yaml', jobYaml('three'));
    const rewritten = commitSigned(repo, 'Rewritten', keys.trusted);
    const row = await waitFor('refusal', () => (/False\s+NonFastForward/.test(sourceRow()) ? sourceRow() : undefined));
    expect(row).toContain(`main@sha1:${second}`);
    expect(row).toContain(`refusing to apply main@sha1:${rewritten}`);
    expect(d!.job('three')).toBeUndefined();
    expect(d!.job('two')).toBeDefined();
  });

  it('--allow-force-push applies a rewritten history once everything not reachable from the old revision verifies', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/one.yaml', jobYaml('one'));
    const first = commitSigned(repo, 'Add one', keys.trusted);
    repo.write('jobs/two.yaml', jobYaml('two'));
    commitSigned(repo, 'Add two', keys.trusted);
    await follow(repo, ['--allow-force-push', '--branch', 'main']);
    await waitFor('two finished', finished('two'));

    // The rewrite is made on a side branch and main is moved once it is done: a
    // daemon that looked at a half-made history (main reset to `first`, which
    // --allow-force-push would apply) would prune two before the test looks.
    repo.git('checkout', '-q', '-b', 'rewrite', first);
    repo.write('jobs/three.yaml', jobYaml('three'));
    const unsigned = commitSigned(repo, 'Unsigned rewrite', undefined);
    repo.write('jobs/four.yaml', jobYaml('four'));
    const head = commitSigned(repo, 'Signed on top', keys.trusted);
    repo.git('update-ref', 'refs/heads/main', head);
    const row = await refused(head, 'InvalidCommitSignature');
    expect(row).toContain(`commit ${short(unsigned)} "Unsigned rewrite" is not signed`);
    expect(d!.job('three')).toBeUndefined();
    expect(d!.job('two')).toBeDefined();

    repo.git('reset', '-q', '--soft', first);
    const signed = commitSigned(repo, 'Signed rewrite', keys.trusted);
    repo.git('update-ref', 'refs/heads/main', signed);
    await waitFor('three and four finished', () => finished('three')() && finished('four')());
    expect(sourceRow()).toMatch(new RegExp(`main@sha1:${signed}\\s+True`));
    // The rewritten history no longer has two.yaml: its Job is pruned.
    await waitFor('two pruned', () => d!.job('two') === undefined);
  });

  it('--verify-commits and --allow-force-push go with --repo', () => {
    for (const args of [['--verify-commits', keys.allowed], ['--allow-force-push']]) {
      const r = cli(['daemon', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${args[0]} goes with --repo`);
    }
  });
});

function readKey(privateKey: string): string {
  return readFileSync(`${privateKey}.pub`, 'utf8');
}
