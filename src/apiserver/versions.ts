import type { DaemonContext } from '../daemon/control.js';
import { feedOf } from './feed.js';
import type { FeedKind } from './registry.js';

// resourceVersions come from the store's change feed: a list carries the
// feed's position, an object the position of its own last change.

export function listVersion(ctx: DaemonContext): string {
  return String(feedOf(ctx)?.current() ?? 0);
}

export function objectVersions(ctx: DaemonContext, kind: FeedKind | undefined, uids: string[]): Map<string, string> {
  const feed = feedOf(ctx);
  const out = new Map<string, string>();
  if (feed === undefined || kind === undefined) return out;
  for (const [uid, rv] of feed.versionsOf(kind, uids)) out.set(uid, String(rv));
  return out;
}

export function objectVersion(ctx: DaemonContext, kind: FeedKind | undefined, uid: string): string {
  return objectVersions(ctx, kind, [uid]).get(uid) ?? listVersion(ctx);
}
