// Which commits must carry a trusted signature before a revision is applied,
// and the verdict once each has been checked. Pure: the walk and ssh-keygen
// live in git-verify.ts.

/** What checking one commit's signature found. */
export type SignatureResult =
  | { kind: 'good'; principal: string }
  | { kind: 'unsigned' }
  /** A well-formed SSH signature by a key that no line of the allowed signers names. */
  | { kind: 'not-allowed'; fingerprint?: string }
  /** Signed by an allowed key, but the signature does not match the commit (or the key was not valid then). */
  | { kind: 'bad-signature'; detail?: string }
  /** PGP or X.509: only SSH signatures are checked. */
  | { kind: 'unsupported'; format: string }
  | { kind: 'error'; detail: string };

export interface CheckedCommit {
  sha: string;
  subject: string;
  result: SignatureResult;
}

export interface PlanInput {
  /** The commit applied last by this daemon; undefined before its first revision. */
  applied: string | undefined;
  /** False for a pinned commit, which never moves. */
  moves: boolean;
  /** Whether the new commit descends from `applied` (unused without one). */
  descends: boolean;
  allowForcePush: boolean;
  verify: boolean;
}

export type Plan =
  | { action: 'refuse-non-fast-forward' }
  | { action: 'apply' }
  /** Only the new commit itself: nothing was applied before, so there is no range to check. */
  | { action: 'verify-head' }
  /** Every commit reachable from the new one and not from `exclude`. */
  | { action: 'verify-range'; exclude: string };

export function planApply(i: PlanInput): Plan {
  const forced = i.applied !== undefined && i.moves && !i.descends;
  if (forced && !i.allowForcePush) return { action: 'refuse-non-fast-forward' };
  if (!i.verify) return { action: 'apply' };
  if (i.applied === undefined || !i.moves) return { action: 'verify-head' };
  // After an allowed force-push the same exclusion holds: what the old revision
  // already vouched for needs no second look, everything else does.
  return { action: 'verify-range', exclude: i.applied };
}

export type Verdict = { ok: true; verified: number } | { ok: false; commit: CheckedCommit; why: string };

/** Commits oldest first; the first that does not verify decides. */
export function verdict(commits: readonly CheckedCommit[]): Verdict {
  for (const c of commits) {
    if (c.result.kind !== 'good') return { ok: false, commit: c, why: whyRejected(c.result) };
  }
  return { ok: true, verified: commits.length };
}

export function whyRejected(r: SignatureResult): string {
  switch (r.kind) {
    case 'good':
      return `signed by ${r.principal}`;
    case 'unsigned':
      return 'is not signed';
    case 'not-allowed':
      return `is signed by a key not in the allowed signers${r.fingerprint === undefined ? '' : ` (${r.fingerprint})`}`;
    case 'bad-signature':
      return `has a bad signature${r.detail === undefined ? '' : ` (${r.detail})`}`;
    case 'unsupported':
      return `is signed with ${r.format}, which cannot be verified (only SSH signatures are)`;
    case 'error':
      return `could not be verified: ${r.detail}`;
  }
}

/** The status message of a refused revision: which commit, and why. */
export function rejectionMessage(revision: string, v: Extract<Verdict, { ok: false }>): string {
  const subject = v.commit.subject === '' ? '' : ` ${JSON.stringify(v.commit.subject)}`;
  return `SourceVerified=False: refusing ${revision}: commit ${v.commit.sha.slice(0, 7)}${subject} ${v.why}`;
}
