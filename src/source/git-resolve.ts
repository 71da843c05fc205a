// Turns the followed ref into a commit, reading refs and objects in place.
import fs from 'node:fs';
import git from 'isomorphic-git';
import { isNotFound, readFailure, SourceFailure } from './git-failure.js';
import { refLabel, type Target } from './git-ref.js';

export interface Resolved {
  /** The commit (annotated tags peeled). */
  oid: string;
  /** The name written before `@sha1:` in the revision; undefined for a pinned commit. */
  name: string | undefined;
}

export interface Repo {
  gitdir: string;
  cache: object;
  /** How the repository is named in messages. */
  display: string;
}

export async function resolveTarget(repo: Repo, target: Target): Promise<Resolved> {
  const { gitdir, cache } = repo;
  if (target.kind === 'commit') {
    let oid: string;
    try {
      oid = await git.expandOid({ fs, gitdir, cache, oid: target.sha });
    } catch (err) {
      if (isNotFound(err)) throw new SourceFailure('RefNotFound', `couldn't find commit ${target.sha} in '${repo.display}'`);
      throw readFailure(err, repo.display, `commit ${target.sha}`);
    }
    return { oid: await peel(repo, oid), name: undefined };
  }
  let ref: string;
  try {
    ref = await git.resolveRef({ fs, gitdir, ref: target.fullref });
  } catch (err) {
    if (isNotFound(err)) throw new SourceFailure('RefNotFound', `couldn't find ref ${refLabel(target)} in '${repo.display}'`);
    throw readFailure(err, repo.display, refLabel(target));
  }
  const oid = await peel(repo, ref);
  if (target.kind !== 'head') return { oid, name: target.name };
  const branch = await git.currentBranch({ fs, gitdir }).catch(() => undefined);
  return { oid, name: branch || 'HEAD' };
}

/** The commit an object names: itself, or what an annotated tag points at. */
export async function peel(repo: Repo, oid: string): Promise<string> {
  try {
    return (await git.readCommit({ fs, gitdir: repo.gitdir, cache: repo.cache, oid })).oid;
  } catch (err) {
    throw readFailure(err, repo.display, `commit ${oid}`);
  }
}

/** Whether the objects of a commit are here (a pinned commit need never be fetched again). */
export async function hasCommit(repo: Repo, sha: string): Promise<boolean> {
  try {
    const oid = await git.expandOid({ fs, gitdir: repo.gitdir, cache: repo.cache, oid: sha });
    await git.readCommit({ fs, gitdir: repo.gitdir, cache: repo.cache, oid });
    return true;
  } catch {
    return false;
  }
}
