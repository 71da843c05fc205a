import type { DaemonContext } from '../ops/control.js';
import { feedOf } from './feed.js';
import type { FeedKind } from './registry.js';

// resourceVersions come from the store's change feed: a list carries the
// feed's position, an object the position of its own last change.

export function listVersion(ctx: DaemonContext): string {
  return String(feedOf(ctx).current());
}

export function objectVersions(ctx: DaemonContext, kind: FeedKind | undefined, uids: string[]): Map<string, string> {
  const feed = feedOf(ctx);
  const out = new Map<string, string>();
  if (kind === undefined) return out;
  const found = feed.versionsOf(kind, uids);
  for (const uid of uids) out.set(uid, String(found.get(uid) ?? UNCHANGED_VERSION));
  return out;
}

/**
 * Objects unchanged since the change log began (a state folder from before
 * it) have no version of their own: they all get the first one.
 */
export const UNCHANGED_VERSION = '1';

export function objectVersion(ctx: DaemonContext, kind: FeedKind | undefined, uid: string): string {
  return objectVersions(ctx, kind, [uid]).get(uid) ?? UNCHANGED_VERSION;
}
