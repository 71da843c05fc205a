// The working directory of a run: the files of the commit that triggered it,
// materialised once per commit and shared by every run of that commit.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { chmod, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import git from 'isomorphic-git';
import { GitjobsError } from '../errors.js';
import type { Logger } from '../util/logger.js';

/** What is needed to read a repository's objects; a GitSource is one. */
export interface GitRepoHandle {
  readonly gitdir: string;
  readonly cache?: object;
}

export interface CheckoutsOptions {
  /** `<state>/checkouts`; each commit gets `<root>/<sha>/`. */
  root: string;
  repo: GitRepoHandle;
  logger?: Logger;
}

const SHA = /^[0-9a-f]{40}$/;
const TMP_PREFIX = '.tmp-';
const MODE_SYMLINK = 0o120000;
const MODE_EXECUTABLE = 0o100755;

export class Checkouts {
  private readonly pending = new Map<string, Promise<string>>();
  private readonly cache: object;

  constructor(private readonly o: CheckoutsOptions) {
    this.cache = o.repo.cache ?? {};
  }

  /** The folder holding the commit's files, written on first use; concurrent calls share the work. */
  ensure(sha: string): Promise<string> {
    if (!SHA.test(sha)) return Promise.reject(new GitjobsError('Invalid', `invalid commit "${sha}": expected 40 hexadecimal digits`));
    const dest = join(this.o.root, sha);
    if (fs.existsSync(dest)) return Promise.resolve(dest);
    let work = this.pending.get(sha);
    if (work === undefined) {
      work = this.materialise(sha, dest).finally(() => this.pending.delete(sha));
      this.pending.set(sha, work);
    }
    return work;
  }

  /** Removes the checkouts of commits no run needs, and leftovers of interrupted writes. */
  prune(inUse: ReadonlySet<string>): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.o.root);
    } catch {
      return;
    }
    const writing = new Set([...this.pending.keys()]);
    for (const name of names) {
      const sha = name.startsWith(TMP_PREFIX) ? name.slice(TMP_PREFIX.length, TMP_PREFIX.length + 40) : name;
      if (!SHA.test(sha) || inUse.has(sha) || writing.has(sha)) continue;
      try {
        fs.rmSync(join(this.o.root, name), { recursive: true, force: true });
      } catch (err) {
        this.o.logger?.warn('cannot remove checkout', { dir: join(this.o.root, name), error: String(err) });
      }
    }
  }

  private async materialise(sha: string, dest: string): Promise<string> {
    const gitdir = this.o.repo.gitdir;
    try {
      await git.readCommit({ fs, gitdir, cache: this.cache, oid: sha });
    } catch (err) {
      throw new GitjobsError('NotFound', `commit ${sha} not found in the repository`, { cause: err });
    }
    await mkdir(this.o.root, { recursive: true });
    // Written aside and renamed into place, so a checkout is either complete or absent.
    const tmp = join(this.o.root, `${TMP_PREFIX}${sha}-${randomBytes(4).toString('hex')}`);
    try {
      await this.writeTree(sha, tmp);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // Another process may have finished the same checkout first.
      if (fs.existsSync(dest)) return dest;
      throw err instanceof GitjobsError ? err : new GitjobsError('Internal', `cannot check out commit ${sha}: ${(err as Error).message}`, { cause: err });
    }
    return dest;
  }

  private async writeTree(sha: string, tmp: string): Promise<void> {
    await git.walk({
      fs,
      gitdir: this.o.repo.gitdir,
      cache: this.cache,
      trees: [git.TREE({ ref: sha })],
      map: async (filepath, [entry]) => {
        if (entry === null || entry === undefined) return null;
        const target = join(tmp, filepath);
        if (filepath === '.') {
          await mkdir(target, { recursive: true });
          return undefined;
        }
        const type = await entry.type();
        if (type === 'tree') {
          await mkdir(target);
          return undefined;
        }
        // A submodule's commit is not in this repository: an empty folder, as git leaves it.
        if (type === 'commit') {
          await mkdir(target);
          return null;
        }
        if (type !== 'blob') return null;
        const mode = await entry.mode();
        const content = (await entry.content()) ?? new Uint8Array();
        if (mode === MODE_SYMLINK) {
          const link = Buffer.from(content).toString('utf8');
          if (staysInside(filepath, link)) await symlink(link, target);
          else this.o.logger?.warn('symlink pointing outside the repository not checked out', { commit: sha, file: filepath, target: link });
          return null;
        }
        await writeFile(target, content);
        await chmod(target, mode === MODE_EXECUTABLE ? 0o755 : 0o644);
        return null;
      },
    });
  }
}

/**
 * Whether a link resolves inside the checkout. Its leading `..` steps are
 * checked against the link's real folder; later components never go up, so
 * even through other (checked) links the result cannot climb out.
 */
export function staysInside(linkPath: string, target: string): boolean {
  if (target === '' || posix.isAbsolute(target) || target.includes('\0')) return false;
  const parts = target.split('/').filter((p) => p !== '' && p !== '.');
  let ups = 0;
  while (parts[ups] === '..') ups++;
  if (parts.slice(ups).includes('..')) return false;
  const depth = linkPath.split('/').length - 1;
  return ups <= depth;
}
