// An HTTP(S) remote mirrored into a bare cache. Each poll first lists the
// remote's refs (one request) and fetches only when the followed ref moved.
import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import { authCallbacks, type AuthOutcome } from './git-auth.js';
import { fetchFailure, SourceFailure } from './git-failure.js';
import { refLabel, type Target } from './git-ref.js';
import { hasCommit, peel, resolveTarget, type Repo, type Resolved } from './git-resolve.js';

/**
 * A local branch of the cache pointing at the last fetched commit. Fetch
 * offers local refs as "haves", so the next fetch transfers only new objects.
 */
const FETCHED_REF = 'gitjobs-fetched';

export interface RemoteOptions {
  url: string;
  display: string;
  gitdir: string;
  cache: object;
  env: () => NodeJS.ProcessEnv;
}

export class HttpRemote {
  private seen: { fullref: string; advertised: string; commit: string } | undefined;
  private prepared = false;

  constructor(private readonly o: RemoteOptions) {}

  private get repo(): Repo {
    return { gitdir: this.o.gitdir, cache: this.o.cache, display: this.o.display };
  }

  /** Brings the followed ref's commit into the cache and names it. */
  async update(target: Target, signal: AbortSignal): Promise<Resolved> {
    await this.ensureCache();
    const http = withSignal(signal);
    const outcome: AuthOutcome = { missing: false, refused: false };
    const auth = authCallbacks(this.o.env, outcome);
    const common = { fs, http, gitdir: this.o.gitdir, cache: this.o.cache, url: this.o.url, ...auth };
    try {
      if (target.kind === 'commit') {
        // A commit cannot be asked for by name over the smart protocol; it
        // arrives with the branches and tags that contain it.
        if (!(await hasCommit(this.repo, target.sha))) {
          await git.fetch({ ...common, ref: FETCHED_REF, remoteRef: 'HEAD', singleBranch: false, tags: true, headers: {} });
        }
        return await resolveTarget(this.repo, target);
      }

      const refs = await git.listServerRefs({ http, url: this.o.url, ...auth, protocolVersion: 1, symrefs: true, headers: {} });
      const listed = refs.find((r) => r.ref === target.fullref);
      if (listed === undefined) throw new SourceFailure('RefNotFound', `couldn't find remote ref ${refLabel(target)} in '${this.o.display}'`);
      const name = target.kind === 'head' ? branchName(listed.target) : target.name;

      const seen = this.seen;
      if (seen?.fullref === target.fullref && seen.advertised === listed.oid) return { oid: seen.commit, name };

      const res = await git.fetch({
        ...common,
        ref: FETCHED_REF,
        remoteRef: target.fullref,
        singleBranch: true,
        tags: target.kind === 'tag',
        headers: {},
      });
      const advertised = res.fetchHead;
      if (!advertised) throw new SourceFailure('RefNotFound', `couldn't find remote ref ${refLabel(target)} in '${this.o.display}'`);
      const commit = await peel(this.repo, advertised);
      await git.writeRef({ fs, gitdir: this.o.gitdir, ref: `refs/heads/${FETCHED_REF}`, value: commit, force: true });
      this.seen = { fullref: target.fullref, advertised, commit };
      return { oid: commit, name };
    } catch (err) {
      if (err instanceof SourceFailure) throw err;
      throw fetchFailure(err, this.o.display, outcome);
    }
  }

  private async ensureCache(): Promise<void> {
    if (this.prepared && fs.existsSync(join(this.o.gitdir, 'HEAD'))) return;
    if (!fs.existsSync(join(this.o.gitdir, 'HEAD'))) {
      await mkdir(this.o.gitdir, { recursive: true });
      await git.init({ fs, gitdir: this.o.gitdir, bare: true });
    }
    // Fetch records what it got under refs/remotes/origin/, which needs the refspec.
    const gitdir = this.o.gitdir;
    if ((await git.getConfig({ fs, gitdir, path: 'remote.origin.url' })) !== this.o.url) {
      await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: this.o.url });
      await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: '+refs/heads/*:refs/remotes/origin/*' });
    }
    this.prepared = true;
  }
}

function branchName(symref: string | undefined): string {
  if (symref?.startsWith('refs/heads/')) return symref.slice('refs/heads/'.length);
  return 'HEAD';
}

/** Every request of one attempt can be cut short (timeout, or the source stopping). */
function withSignal(signal: AbortSignal): HttpClient {
  return { request: (req) => nodeHttp.request({ ...req, signal }) };
}
