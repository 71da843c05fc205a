// Which ref of a repository to follow, and how a revision of it is written.
import { GitjobsError } from '../errors.js';

export interface GitRef {
  branch?: string;
  tag?: string;
  commit?: string;
}

/** The ref a source follows, normalised. `head` is the repository's default branch. */
export type Target =
  | { kind: 'branch'; name: string; fullref: string }
  | { kind: 'tag'; name: string; fullref: string }
  | { kind: 'head'; fullref: 'HEAD' }
  | { kind: 'commit'; sha: string };

const SHA = /^[0-9a-f]{4,40}$/;

export function targetOf(ref: GitRef): Target {
  const given = [ref.branch, ref.tag, ref.commit].filter((v) => v !== undefined && v !== '');
  if (given.length > 1) throw new GitjobsError('Usage', 'only one of --branch, --tag and --commit may be given');
  if (ref.commit) {
    const sha = ref.commit.toLowerCase();
    if (!SHA.test(sha)) throw new GitjobsError('Usage', `invalid commit "${ref.commit}": expected a hexadecimal object name`);
    return { kind: 'commit', sha };
  }
  if (ref.branch) return { kind: 'branch', name: checkName(ref.branch, 'branch'), fullref: `refs/heads/${ref.branch}` };
  if (ref.tag) return { kind: 'tag', name: checkName(ref.tag, 'tag'), fullref: `refs/tags/${ref.tag}` };
  return { kind: 'head', fullref: 'HEAD' };
}

/** The rules of git-check-ref-format that matter for a name typed on a command line. */
function checkName(name: string, what: string): string {
  const bad =
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(name);
  if (bad) throw new GitjobsError('Usage', `invalid ${what} name "${name}"`);
  return name;
}

/** Whether a newer commit must descend from the one applied before (a pinned commit never moves). */
export function moves(t: Target): boolean {
  return t.kind !== 'commit';
}

/** The revision as Flux writes it: `main@sha1:<oid>`, or `sha1:<oid>` for a pinned commit. */
export function revisionOf(name: string | undefined, oid: string): string {
  return name === undefined ? `sha1:${oid}` : `${name}@sha1:${oid}`;
}

/** How a ref is named in messages, the way git names it. */
export function refLabel(t: Target): string {
  switch (t.kind) {
    case 'commit':
      return `commit ${t.sha}`;
    case 'head':
      return 'HEAD';
    default:
      return t.fullref;
  }
}
