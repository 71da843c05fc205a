import type { Target } from '../source/git-ref.js';
import type { PushEvent } from './forge.js';

// Whether a verified push concerns the source this daemon follows. A push for
// another repository or ref is acknowledged and ignored, never an error: one
// forge hook often serves several consumers.

export type PushDecision = { act: true } | { act: false; reason: string };

/** What a push is matched against. */
export interface HookSubject {
  /** Normalised repository identity (see repositoryKey); undefined: any repository (generic hooks on a folder source). */
  repository: string | undefined;
  /** The followed ref; undefined: the daemon watches a folder, which any push may concern. */
  target: Target | undefined;
}

export function matchPush(push: PushEvent, subject: HookSubject): PushDecision {
  if (subject.repository !== undefined && push.repositoryUrls.length > 0) {
    const keys = push.repositoryUrls.map(repositoryKey);
    if (!keys.includes(subject.repository)) return { act: false, reason: `push for another repository (${keys[0]})` };
  }
  const t = subject.target;
  if (t === undefined) return { act: true };
  if (t.kind === 'commit') return { act: false, reason: `the source is pinned to commit ${t.sha}` };
  const followed = t.kind === 'head' ? (push.defaultBranch === undefined ? undefined : `refs/heads/${push.defaultBranch}`) : t.fullref;
  // A HEAD-following source whose sender does not name the default branch takes any branch's push.
  const relevant = push.changes.filter((c) => c.ref === undefined || (followed === undefined ? c.ref.startsWith('refs/heads/') : c.ref === followed));
  if (relevant.length === 0) {
    const refs = push.changes.map((c) => c.ref).join(', ');
    return { act: false, reason: `push to ${refs || 'no ref'}, not ${followed ?? 'a branch'}` };
  }
  if (relevant.every((c) => c.deleted)) return { act: false, reason: `${relevant[0]!.ref ?? 'the ref'} was deleted` };
  return { act: true };
}

/**
 * A repository's identity across the URLs forges give for it: host and path,
 * lower-cased, without scheme, credentials, port, `.git` or slashes at the end.
 * `git@host:owner/name.git`, `ssh://git@host/owner/name` and
 * `https://host/owner/name` are the same repository.
 */
export function repositoryKey(url: string): string {
  let s = url.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(s);
  if (scp !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    s = `${scp[1]}/${scp[2]}`;
  } else {
    s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '');
    s = s.replace(/^([^/:]+):\d+(?=\/|$)/, '$1');
  }
  // Bitbucket Server clone URLs put the path under /scm/.
  s = s.replace(/\/scm\//, '/').replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return s.toLowerCase();
}
