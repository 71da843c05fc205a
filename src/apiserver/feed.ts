import type { DaemonContext } from '../daemon/control.js';
import type { FeedKind } from './registry.js';

// The store's change feed, as the API reads it (src/store/changes.ts).

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  kind: FeedKind;
  type: ChangeType;
  uid: string;
  namespace: string;
  name: string;
}

export interface Feed {
  current(): number;
  versionsOf(kind: FeedKind, uids: string[]): Map<string, number>;
  /** Throws Gone when rv is older than what the feed keeps. */
  since(rv: number, kinds: readonly FeedKind[], limit: number): Change[];
  subscribe(listener: () => void): () => void;
}

export function feedOf(_ctx: DaemonContext): Feed | undefined {
  return undefined;
}
