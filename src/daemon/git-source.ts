import { sourceRef } from '../api/source-ref.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Job } from '../api/types.js';
import { Checkouts } from '../source/checkouts.js';
import { cacheDirFor, GitSource, type GitRef, type GitSourceStatus } from '../source/git.js';
import { CommitVerifier } from '../source/git-verify.js';
import { recordEvent } from '../store/events.js';
import { putSource } from '../store/sources.js';
import type { SourceSnapshot } from '../sync/syncer.js';
import { applySnapshot, originEnv, type RunningSource, type SourceDeps } from './sources.js';
import { errorFields } from '../errors.js';

export interface GitSourceSpec {
  url: string;
  ref: GitRef;
  path?: string;
  /** A revision without `path` is an error instead of an empty desired state. */
  requirePath?: boolean;
  intervalMs: number;
  /** An allowed_signers file: every new commit must carry an SSH signature by a key it lists. */
  verifyCommits?: string;
  /** Apply a revision that does not descend from the applied one (still verified, when verifying). */
  allowForcePush?: boolean;
}

/**
 * A Git repository as the daemon's source. Each run's pods start in a clean
 * checkout of the commit that triggered it, shared by the runs of that commit
 * and removed when no Job needs it.
 */
export function gitSource(spec: GitSourceSpec, deps: SourceDeps): RunningSource {
  const key = createHash('sha256').update(spec.url).digest('hex').slice(0, 16);
  const reported = new Set<string>();
  const checkoutsRoot = join(deps.stateDir, 'checkouts', key);
  let lastStatus: GitSourceStatus | undefined;
  let checkouts: Checkouts | undefined;
  // Snapshots are applied one at a time, in order, each after its checkout exists.
  let chain: Promise<void> = Promise.resolve();
  let last: SourceSnapshot | undefined;

  const recordStatus = (status: GitSourceStatus, revision?: string): void => {
    const changed = lastStatus === undefined || lastStatus.reason !== status.reason || lastStatus.message !== status.message;
    lastStatus = status;
    const now = deps.clock.now();
    deps.db.transaction(() => {
      const current = deps.db.prepare('SELECT issues_json FROM sources WHERE name = ?').get(spec.url) as { issues_json: string } | undefined;
      putSource(deps.db, {
        name: spec.url,
        kind: 'git',
        url: spec.url,
        ...((revision ?? status.lastGoodRevision) === undefined ? {} : { revision: (revision ?? status.lastGoodRevision)! }),
        lastSync: status.lastFetchTime ?? now,
        ready: status.ready,
        message: status.ready ? status.message : `${status.reason}: ${status.message}`,
        issues: current === undefined ? [] : (JSON.parse(current.issues_json) as []),
      });
      if (changed && !status.ready) {
        recordEvent(
          deps.db,
          { object: sourceRef(spec.url), type: 'Warning', reason: status.reason, message: status.message, source: 'gitjobs-source' },
          now,
        );
        deps.onSyncFailed?.(
          { source: spec.url, reason: status.reason, message: status.message, ...(status.lastGoodRevision === undefined ? {} : { lastGoodRevision: status.lastGoodRevision }) },
          now,
        );
      }
    })();
    if (changed) {
      if (status.ready) deps.logger.info('source ready', { source: spec.url, revision: status.lastGoodRevision });
      else deps.logger.warn('source not ready', { source: spec.url, reason: status.reason, message: status.message, lastGoodRevision: status.lastGoodRevision });
    }
  };

  const git = new GitSource({
    url: spec.url,
    ref: spec.ref,
    ...(spec.path === undefined ? {} : { path: spec.path }),
    ...(spec.requirePath === true ? { requirePath: true } : {}),
    cacheDir: cacheDirFor(deps.stateDir, spec.url),
    intervalMs: spec.intervalMs,
    env: process.env,
    logger: deps.logger,
    now: () => deps.clock.now(),
    onSnapshot: (snap) => {
      chain = chain.then(async () => {
        try {
          await checkouts!.ensure(snap.commit.sha);
        } catch (err) {
          deps.logger.error('checkout failed', { source: spec.url, commit: snap.commit.sha, ...errorFields(err) });
        }
        last = { name: spec.url, kind: 'git', url: spec.url, revision: snap.revision, manifests: snap.manifests, heldBack: snap.heldBack, commit: snap.commit };
        applySnapshot(deps, last, reported);
      });
    },
    onStatus: (status) => recordStatus(status),
    onAttempt: (ms, failure) => deps.observer?.sourceFetched(spec.url, ms, failure),
    ...(spec.verifyCommits === undefined
      ? {}
      : { verifier: new CommitVerifier({ allowedSigners: spec.verifyCommits, tmpDir: join(deps.stateDir, 'verify') }) }),
    ...(spec.allowForcePush ? { allowForcePush: true } : {}),
  });
  checkouts = new Checkouts({ root: checkoutsRoot, repo: git, logger: deps.logger });

  return {
    name: spec.url,
    kind: 'git',
    url: spec.url,
    start: async () => {
      await git.start();
      await chain;
    },
    stop: () => git.stop(),
    sync: async () => {
      const r = await git.sync();
      await chain;
      return r;
    },
    poke: () => {
      // Nothing new to fetch: apply the current revision's desired state again
      // (e.g. to start a replaced Job's successor once the old run is gone).
      chain = chain.then(() => {
        if (last !== undefined) applySnapshot(deps, last, reported);
      });
    },
    podContext: (job: Job | undefined) => {
      const sha = job?.origin.commit?.sha;
      return { cwd: sha === undefined ? checkoutsRoot : join(checkoutsRoot, sha), env: originEnv(job) };
    },
    sweep: (live) => {
      const inUse = new Set(live.map((j) => j.origin.commit?.sha).filter((s): s is string => s !== undefined));
      checkouts?.prune(inUse);
    },
  };
}
