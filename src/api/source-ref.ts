import type { ObjectReference } from './types.js';

/**
 * A source's object name, as events and `get sources` show it: the folder's or
 * repository's last path segment as a DNS label (`/srv/jobs` → `jobs`,
 * `https://host/team/batch.git` → `batch`). The store keys sources by their
 * full path or URL, which stays the identity; this is how they read.
 */
export function sourceObjectName(pathOrUrl: string): string {
  const trimmed = pathOrUrl.replace(/[?#].*$/, '').replace(/[/\\]+$/, '').replace(/\.git$/, '');
  const last = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  const label = last.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label === '' ? 'source' : label;
}

/** The involved object of a source's events. */
export function sourceRef(pathOrUrl: string): ObjectReference {
  return { kind: 'Source', namespace: 'default', name: sourceObjectName(pathOrUrl) };
}
