// Where a repository lives: a folder on this machine, read in place, or an
// HTTP(S) remote fetched into a bare cache.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitjobsError } from '../errors.js';

export type Location = { kind: 'local'; path: string; display: string } | { kind: 'http'; url: string; display: string };

export function locationOf(url: string): Location {
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    // Credentials typed into the URL would end up in argv and in the state file.
    if (u.username !== '' || u.password !== '') {
      throw new GitjobsError('Usage', 'credentials in the repository URL are not accepted; set GITJOBS_GIT_TOKEN, or GITJOBS_GIT_USERNAME and GITJOBS_GIT_PASSWORD');
    }
    return { kind: 'http', url, display: url };
  }
  if (/^file:\/\//i.test(url)) {
    const path = fileURLToPath(url);
    return { kind: 'local', path, display: url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/:]+:/.test(url)) {
    throw new GitjobsError('Usage', `unsupported repository URL "${url}": use a local path or an http(s) URL`);
  }
  return { kind: 'local', path: isAbsolute(url) ? url : resolve(url), display: url };
}

/**
 * The git directory of a local repository: `<path>/.git` for one with a
 * working tree, else the path itself when it looks bare. For a linked
 * worktree it is the main repository's, where branches and objects live.
 * Undefined when the path is not a repository yet.
 */
export function localGitdir(path: string): string | undefined {
  const dotgit = join(path, '.git');
  try {
    const st = statSync(dotgit);
    if (st.isDirectory()) return dotgit;
    if (st.isFile()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotgit, 'utf8'));
      if (m?.[1]) return commonDir(resolve(path, m[1]));
    }
  } catch {
    // No .git: maybe bare.
  }
  if (existsSync(join(path, 'HEAD')) && existsSync(join(path, 'objects')) && existsSync(join(path, 'refs'))) return path;
  return undefined;
}

function commonDir(gitdir: string): string {
  try {
    return resolve(gitdir, readFileSync(join(gitdir, 'commondir'), 'utf8').trim());
  } catch {
    return gitdir;
  }
}
