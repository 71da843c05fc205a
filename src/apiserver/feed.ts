import type { DaemonContext } from '../ops/control.js';
import { changesSince, currentResourceVersion, resourceVersionsOf, type Change } from '../store/changes.js';
import type { FeedKind } from './registry.js';

// The store's change feed, as the API reads it.

export type { Change };

export interface Feed {
  current(): number;
  versionsOf(kind: FeedKind, uids: string[]): Map<string, number>;
  /** Throws Gone when rv is older than what the feed keeps. */
  since(rv: number, kinds: readonly FeedKind[], limit: number): Change[];
  subscribe(listener: () => void): () => void;
}

export function feedOf(ctx: DaemonContext): Feed {
  return {
    current: () => currentResourceVersion(ctx.db),
    versionsOf: (kind, uids) => resourceVersionsOf(ctx.db, kind, uids),
    since: (rv, kinds, limit) => changesSince(ctx.db, rv, kinds, limit),
    subscribe: (listener) => ctx.changes.subscribe(listener),
  };
}
