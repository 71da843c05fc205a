import { describe, expect, it } from 'vitest';
import { planApply, rejectionMessage, verdict, type CheckedCommit, type Plan, type PlanInput, type SignatureResult } from '../../src/source/verify-policy.js';

const OLD = 'a'.repeat(40);
const base: PlanInput = { applied: OLD, moves: true, descends: true, allowForcePush: false, verify: true };

describe('which commits a new revision must verify', () => {
  const cases: { name: string; input: Partial<PlanInput>; plan: Plan }[] = [
    { name: 'first revision verifies head', input: { applied: undefined }, plan: { action: 'verify-head' } },
    { name: 'fast-forward verifies every commit since the applied one', input: {}, plan: { action: 'verify-range', exclude: OLD } },
    { name: 'non-fast-forward refused', input: { descends: false }, plan: { action: 'refuse-non-fast-forward' } },
    { name: 'non-fast-forward refused without verification too', input: { descends: false, verify: false }, plan: { action: 'refuse-non-fast-forward' } },
    {
      name: 'allowed force-push verifies everything not reachable from the applied one',
      input: { descends: false, allowForcePush: true },
      plan: { action: 'verify-range', exclude: OLD },
    },
    { name: 'allowed force-push without verification applies', input: { descends: false, allowForcePush: true, verify: false }, plan: { action: 'apply' } },
    { name: 'pinned commit verifies head', input: { moves: false, descends: false }, plan: { action: 'verify-head' } },
    { name: 'no verification applies a fast-forward', input: { verify: false }, plan: { action: 'apply' } },
  ];
  it.each(cases)('$name', ({ input, plan }) => {
    expect(planApply({ ...base, ...input })).toEqual(plan);
  });
});

const good: SignatureResult = { kind: 'good', principal: 'ada@example.com' };
const commit = (n: number, result: SignatureResult, subject = `change ${n}`): CheckedCommit => ({ sha: `${n}`.repeat(40), subject, result });

describe('the verdict on the checked commits, oldest first', () => {
  const cases: { name: string; commits: CheckedCommit[]; ok: boolean; failing?: string; why?: RegExp }[] = [
    { name: 'signed head', commits: [commit(1, good)], ok: true },
    { name: 'unsigned head', commits: [commit(1, { kind: 'unsigned' })], ok: false, failing: '1'.repeat(40), why: /^is not signed$/ },
    {
      name: 'signed head over unsigned parent',
      commits: [commit(1, { kind: 'unsigned' }), commit(2, good)],
      ok: false,
      failing: '1'.repeat(40),
      why: /not signed/,
    },
    {
      name: 'rogue key',
      commits: [commit(1, good), commit(2, { kind: 'not-allowed', fingerprint: 'SHA256:abc' })],
      ok: false,
      failing: '2'.repeat(40),
      why: /^is signed by a key not in the allowed signers \(SHA256:abc\)$/,
    },
    {
      name: 'the oldest failing commit is named',
      commits: [commit(1, good), commit(2, { kind: 'bad-signature' }), commit(3, { kind: 'unsigned' })],
      ok: false,
      failing: '2'.repeat(40),
      why: /^has a bad signature$/,
    },
    { name: 'PGP signature is not verifiable', commits: [commit(1, { kind: 'unsupported', format: 'PGP' })], ok: false, why: /signed with PGP, which cannot be verified/ },
    { name: 'an empty range (nothing new) verifies', commits: [], ok: true },
    { name: 'a range of signed commits verifies', commits: [commit(1, good), commit(2, good), commit(3, good)], ok: true },
  ];
  it.each(cases)('$name', ({ commits, ok, failing, why }) => {
    const v = verdict(commits);
    expect(v.ok).toBe(ok);
    if (v.ok) expect(v.verified).toBe(commits.length);
    else {
      if (failing !== undefined) expect(v.commit.sha).toBe(failing);
      expect(v.why).toMatch(why!);
    }
  });
});

describe('the status message of a refused revision', () => {
  it('names the condition, the revision, the short sha, the subject and why', () => {
    const v = verdict([commit(7, { kind: 'unsigned' }, 'Add "evil" job')]);
    if (v.ok) throw new Error('expected a rejection');
    expect(rejectionMessage(`main@sha1:${'f'.repeat(40)}`, v)).toBe(
      `SourceVerified=False: refusing main@sha1:${'f'.repeat(40)}: commit 7777777 "Add \\"evil\\" job" is not signed`,
    );
  });
});
