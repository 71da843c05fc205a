// A Git repository as a source of Job manifests: only committed content of
// the followed ref counts. A local repository is read in place and its refs
// watched; an HTTP(S) remote is fetched into a bare cache on a timer.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { CommitInfo } from '../api/types.js';
import { errorFields, GitjobsError } from '../errors.js';
import type { ManifestResult } from '../manifest/index.js';
import type { Logger } from '../util/logger.js';
import { redact } from './git-auth.js';
import { errorCodeOf, readFailure, SourceFailure } from './git-failure.js';
import { localGitdir, locationOf, type Location } from './git-location.js';
import { normalizeScope, ManifestReader } from './git-manifests.js';
import { IsolatedParser } from '../manifest/worker.js';
import { moves, revisionOf, targetOf, type GitRef, type Target } from './git-ref.js';
import { HttpRemote } from './git-remote.js';
import { resolveTarget, type Resolved } from './git-resolve.js';
import { RefWatcher } from './git-watch.js';
import type { CommitVerifier } from './git-verify.js';
import { planApply } from './verify-policy.js';

export type { GitRef } from './git-ref.js';

export interface GitSnapshot {
  /** `main@sha1:<oid>`, `v1.2@sha1:<oid>` for a tag, `sha1:<oid>` for a pinned commit. */
  revision: string;
  commit: CommitInfo;
  /** File names are relative to the repository root, e.g. `jobs/pi.yaml`. */
  manifests: ManifestResult;
  /** Always empty: committed content is never half-written. Shared with the folder source's snapshot. */
  heldBack: string[];
}

export interface GitSourceStatus {
  ready: boolean;
  /** 'Progressing' before the first attempt, 'Succeeded', or a failure reason such as 'NonFastForward'. */
  reason: string;
  message: string;
  lastGoodRevision?: string;
  lastAttemptedRevision?: string;
  lastFetchTime?: number;
}

export interface GitSourceOptions {
  /** A local repository path (bare or not), a file:// URL, or an http(s) URL. */
  url: string;
  ref: GitRef;
  /** Only manifests under this folder of the repository (recursively). */
  path?: string;
  /** A revision without `path` is an error; by default it is an empty desired state (everything pruned). */
  requirePath?: boolean;
  /** Where an HTTP remote is mirrored (a bare repository); unused for local paths. */
  cacheDir: string;
  intervalMs: number;
  /** GITJOBS_GIT_TOKEN / GITJOBS_GIT_USERNAME / GITJOBS_GIT_PASSWORD, read at every fetch. */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  now?: () => number;
  /** Longest a network attempt may take; default 60 s. */
  timeoutMs?: number;
  onSnapshot: (snap: GitSnapshot) => void;
  onStatus: (status: GitSourceStatus) => void;
  /** Told after every fetch attempt: how long it took and, when it failed, the failure's reason. */
  onAttempt?: (ms: number, failure: string | undefined) => void;
  /** Checks commit signatures before a revision is applied; unset: no check. */
  verifier?: CommitVerifier;
  /** Apply a revision that does not descend from the applied one instead of refusing it. */
  allowForcePush?: boolean;
}

type Outcome = { ok: true; revision: string } | { ok: false; failure: SourceFailure };

const FIRST_RETRY_MS = 1000;
const JITTER = 0.1;

export class GitSource {
  /** Shared by every read of this repository (parsed pack indexes, objects). */
  readonly cache: object = {};
  private readonly location: Location;
  private readonly target: Target;
  private readonly scope: string;
  private readonly reader: ManifestReader;
  private readonly parser = new IsolatedParser();
  private readonly remote: HttpRemote | undefined;
  private watcher: RefWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private failures = 0;
  private good: { oid: string; revision: string } | undefined;
  /** The last refused commit, so an unchanged force-pushed ref is not walked again on every poll. */
  private refused: { oid: string; good: string; failure: SourceFailure } | undefined;
  private current: GitSourceStatus;
  private running: Promise<Outcome> | undefined;
  private queued: Promise<Outcome> | undefined;

  constructor(private readonly o: GitSourceOptions) {
    this.location = locationOf(o.url);
    this.target = targetOf(o.ref);
    try {
      this.scope = normalizeScope(o.path);
    } catch (err) {
      throw new GitjobsError('Usage', (err as Error).message);
    }
    // Parsed where a crash is contained, as for the folder source.
    this.reader = new ManifestReader(this, this.parser.parse);
    this.remote =
      this.location.kind === 'http'
        ? new HttpRemote({ url: this.location.url, display: this.location.display, gitdir: o.cacheDir, cache: this.cache, env: () => this.env })
        : undefined;
    this.current = { ready: false, reason: 'Progressing', message: `fetching '${this.location.display}'` };
  }

  /** The git directory read: the repository's own for a local path, the cache for a remote. */
  get gitdir(): string {
    if (this.location.kind === 'http') return this.o.cacheDir;
    return localGitdir(this.location.path) ?? this.location.path;
  }

  get status(): GitSourceStatus {
    return { ...this.current };
  }

  async start(): Promise<void> {
    this.started = true;
    this.stopped = false;
    // Watch before the first read, so a commit landing during it is not missed.
    this.armWatcher();
    await this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.abort?.abort();
    await Promise.allSettled([this.running, this.queued]);
    await this.parser.close();
  }

  /** Fetches now. Resolves once a new revision has been handed to onSnapshot, or with the current one. */
  async sync(): Promise<{ revision: string }> {
    const out = await this.attempt();
    if (out.ok) return { revision: out.revision };
    throw new GitjobsError(errorCodeOf(out.failure.reason), this.current.message);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.o.env ?? process.env;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** One attempt at a time; requests arriving meanwhile share a single follow-up attempt. */
  private attempt(): Promise<Outcome> {
    if (this.running === undefined) {
      this.running = this.tryOnce().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.attempt();
    });
    return this.queued;
  }

  private async tryOnce(): Promise<Outcome> {
    this.current.lastFetchTime = this.now();
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      outcome = { ok: true, revision: await this.advance() };
      this.failures = 0;
    } catch (err) {
      const failure = err instanceof SourceFailure ? err : new SourceFailure('FetchFailed', `unable to read '${this.location.display}': ${String(err)}`);
      this.failures++;
      this.report({ ready: false, reason: failure.reason, message: failure.message });
      outcome = { ok: false, failure };
    }
    this.o.onAttempt?.(performance.now() - t0, outcome.ok ? undefined : outcome.failure.reason);
    this.reschedule(outcome.ok);
    return outcome;
  }

  /** Reads the followed ref and applies its commit if it is new and allowed; returns the revision in force. */
  private async advance(): Promise<string> {
    const resolved = await this.resolve();
    const revision = revisionOf(resolved.name, resolved.oid);
    this.current.lastAttemptedRevision = revision;
    const good = this.good;
    if (good?.oid === resolved.oid) {
      good.revision = revision;
      this.succeeded(revision);
      return revision;
    }
    await this.admit(resolved.oid, good, revision);

    const snapshot = await this.read(resolved, revision);
    this.good = { oid: resolved.oid, revision };
    this.refused = undefined;
    this.o.logger.info('git source: new revision', { url: this.location.display, revision, subject: snapshot.commit.subject });
    try {
      this.o.onSnapshot(snapshot);
    } catch (err) {
      this.o.logger.error('git source: snapshot handler failed', { url: this.location.display, revision, ...errorFields(err) });
    }
    this.succeeded(revision);
    return revision;
  }

  private async resolve(): Promise<Resolved> {
    if (this.remote !== undefined) {
      this.abort = new AbortController();
      const timer = setTimeout(() => this.abort?.abort(), this.o.timeoutMs ?? 60_000);
      try {
        return await this.remote.update(this.target, this.abort.signal);
      } finally {
        clearTimeout(timer);
      }
    }
    if (this.location.kind !== 'local') throw new Error('unreachable');
    const gitdir = localGitdir(this.location.path);
    if (gitdir === undefined) throw new SourceFailure('FetchFailed', `'${this.location.display}' does not appear to be a git repository`);
    this.armWatcher();
    return resolveTarget({ gitdir, cache: this.cache, display: this.location.display }, this.target);
  }

  /** Throws unless the new commit may be applied: history only moves forward (unless allowed), signatures verify (when asked). */
  private async admit(oid: string, good: { oid: string; revision: string } | undefined, revision: string): Promise<void> {
    const moving = moves(this.target);
    const descends = good !== undefined && moving ? await this.descends(oid, good, revision) : true;
    const plan = planApply({
      applied: good?.oid,
      moves: moving,
      descends,
      allowForcePush: this.o.allowForcePush ?? false,
      verify: this.o.verifier !== undefined,
    });
    if (plan.action === 'refuse-non-fast-forward') this.refuse(oid, good!, revision);
    if (plan.action === 'apply' || this.o.verifier === undefined) return;
    const repo = { gitdir: this.gitdir, cache: this.cache, display: this.location.display };
    const exclude = plan.action === 'verify-range' ? plan.exclude : undefined;
    const verified = await this.o.verifier.check(repo, oid, exclude, revision);
    this.o.logger.info('git source: signatures verified', { url: this.location.display, revision, commits: verified, range: plan.action === 'verify-range' ? `${exclude}..${oid}` : 'HEAD' });
  }

  private async descends(oid: string, good: { oid: string; revision: string }, revision: string): Promise<boolean> {
    if (this.refused?.oid === oid && this.refused.good === good.oid) throw this.refused.failure;
    try {
      return await git.isDescendent({ fs, gitdir: this.gitdir, cache: this.cache, oid, ancestor: good.oid, depth: -1 });
    } catch (err) {
      throw readFailure(err, this.location.display, `the history of ${revision}`);
    }
  }

  private refuse(oid: string, good: { oid: string; revision: string }, revision: string): never {
    const failure = new SourceFailure(
      'NonFastForward',
      `refusing to apply ${revision}: it does not descend from the last applied revision ${good.revision} (was the history rewritten by a force-push?)`,
    );
    this.refused = { oid, good: good.oid, failure };
    throw failure;
  }

  private async read(resolved: Resolved, revision: string): Promise<GitSnapshot> {
    const repo = { gitdir: this.gitdir, cache: this.cache };
    let commit: CommitInfo;
    try {
      const { commit: c } = await git.readCommit({ fs, ...repo, oid: resolved.oid });
      commit = {
        sha: resolved.oid,
        author: c.author.name,
        email: c.author.email,
        subject: (c.message.split('\n')[0] ?? '').trim(),
        time: c.author.timestamp * 1000,
      };
    } catch (err) {
      throw readFailure(err, this.location.display, `commit ${resolved.oid}`);
    }
    let manifests: ManifestResult;
    try {
      manifests = await this.reader.read(resolved.oid, this.scope, this.o.requirePath === true);
    } catch (err) {
      throw readFailure(err, this.location.display, `the tree of ${revision}`);
    }
    return { revision, commit, manifests, heldBack: [] };
  }

  private succeeded(revision: string): void {
    this.current.lastGoodRevision = revision;
    this.report({ ready: true, reason: 'Succeeded', message: `fetched revision '${revision}'` });
  }

  private report(next: { ready: boolean; reason: string; message: string }): void {
    const message = redact(next.message, this.env);
    const prev = this.current;
    this.current = { ...prev, ready: next.ready, reason: next.reason, message };
    if (this.good !== undefined) this.current.lastGoodRevision = this.good.revision;
    if (prev.ready === next.ready && prev.reason === next.reason && prev.message === message) return;
    // Logging the change is left to whoever receives it, which also records it.
    try {
      this.o.onStatus(this.status);
    } catch (err) {
      this.o.logger.error('git source: status handler failed', { url: this.location.display, ...errorFields(err) });
    }
  }

  /** Polls at the interval with ±10 % jitter; after failures, backs off from 1 s doubling up to the interval. */
  private reschedule(ok: boolean): void {
    if (!this.started || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const interval = Math.max(this.o.intervalMs, 1);
    const base = ok ? interval : Math.min(interval, FIRST_RETRY_MS * 2 ** Math.min(this.failures - 1, 30));
    const delay = Math.round(base * (1 - JITTER + 2 * JITTER * Math.random()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.attempt().catch((err: unknown) => this.o.logger.error('git source: poll failed', { url: this.location.display, ...errorFields(err) }));
    }, delay);
    this.timer.unref();
  }

  private armWatcher(): void {
    if (!this.started || this.stopped || this.location.kind !== 'local') return;
    const gitdir = localGitdir(this.location.path);
    if (gitdir === undefined) return;
    if (this.watcher?.gitdir !== gitdir) {
      this.watcher?.close();
      this.watcher = new RefWatcher({
        gitdir,
        fullref: this.target.kind === 'commit' ? undefined : this.target.fullref,
        logger: this.o.logger,
        onChange: () => {
          this.attempt().catch((err: unknown) => this.o.logger.error('git source: read failed', { url: this.location.display, ...errorFields(err) }));
        },
      });
    }
    this.watcher.arm();
  }
}

/** The folder under the state directory that caches a remote: `git/<sha256(url) prefix>`. */
export function cacheDirFor(stateDir: string, url: string): string {
  return join(stateDir, 'git', createHash('sha256').update(url).digest('hex').slice(0, 16));
}
