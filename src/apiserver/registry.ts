import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Column } from '../cli/print/table.js';
import type { DaemonContext } from '../ops/control.js';
import type { DeletedObject } from '../store/changes.js';
import type { ResourcePath } from './request.js';

// Every resource the API serves is one row of this table: what discovery,
// OpenAPI, list, get, watch, Tables and field selectors need to know of it.
// The writes a resource allows are its own module's.

export type Obj = Record<string, unknown>;

/** The store's change feed names these. */
export type FeedKind = 'jobs' | 'cronjobs' | 'pods' | 'events';

export interface ListPosition {
  namespace: string;
  name: string;
}

export interface ItemKey {
  namespace: string;
  name: string;
  uid: string;
  labels: Readonly<Record<string, string>>;
}

export interface WriteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: DaemonContext;
  path: ResourcePath;
  query: URLSearchParams;
  /** The namespace of the path, or `default` for a cluster-wide path of a namespaced resource. */
  namespace: string;
}

export interface Writes {
  create?(w: WriteRequest): Promise<void>;
  update?(w: WriteRequest): Promise<void>;
  patch?(w: WriteRequest): Promise<void>;
  delete?(w: WriteRequest): Promise<void>;
}

export interface ResourceType<T> {
  group: string;
  version: string;
  /** The plural, as in the path. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames: readonly string[];
  categories: readonly string[];
  subresources: readonly { name: string; kind: string; verbs: readonly string[] }[];
  /** What the store's change feed calls this resource; unset: no watch. */
  feed?: FeedKind;
  /** Every object, in one namespace or all. */
  list(ctx: DaemonContext, namespace: string | undefined): T[];
  get(ctx: DaemonContext, namespace: string, name: string): T | undefined;
  /** Up to `limit` objects after `after` in (namespace, name) order, read without the others: a page of a large list. */
  page?(ctx: DaemonContext, namespace: string | undefined, after: ListPosition | undefined, limit: number): T[];
  /** The object a change of the feed names; undefined once its row is gone. */
  byUid?(ctx: DaemonContext, uid: string): T | undefined;
  /** The last state the feed kept of an object whose row is gone. */
  fromDeleted?(d: DeletedObject): T | undefined;
  key(item: T): ItemKey;
  /** The wire object, without metadata.resourceVersion (added from the feed). */
  toObject(item: T): Obj;
  /** Every object's JSON text in listing order, from kept texts where unchanged: a whole list without selectors. */
  texts?(ctx: DaemonContext, namespace: string | undefined): string[];
  /** Its metadata alone, cheaper than the whole object: what a Table's rows carry. */
  metadata?(item: T): Obj;
  /** The field selectors the API server allows for this resource, and each one's value. */
  fields: Readonly<Record<string, (item: T) => string>>;
  /** The columns of a server-side Table: the CLI's printer's. */
  columns(now: number): Column<T>[];
  /** A Table's rows read without whole objects, when the Table needs only its columns and metadata. */
  tableRows?: TableRows<unknown>;
  /** The order rows are listed in (the CLI's), when not by namespace and name. */
  order?(items: T[]): T[];
  writes: Writes;
}

/**
 * Rows shaped for a Table's columns, read in (namespace, name) order: all of
 * them, or a page of them. Lighter than the resource's items, so without its
 * field selectors; the key's labels serve label selectors.
 */
export interface TableRows<L> {
  list(ctx: DaemonContext, namespace: string | undefined): L[];
  page(ctx: DaemonContext, namespace: string | undefined, after: ListPosition | undefined, limit: number): L[];
  key(row: L): ItemKey;
  metadata(row: L): Obj;
  columns(now: number): Column<L>[];
}

/** A row of the table, its item type erased: the table holds rows of every type. */
export type AnyResource = ResourceType<unknown>;

export function resource<T>(r: ResourceType<T>): AnyResource {
  return r as unknown as AnyResource;
}

export function groupVersion(r: Pick<AnyResource, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The metadata field selectors every namespaced resource has. */
export function metaFields<T>(key: (item: T) => ItemKey): Record<string, (item: T) => string> {
  return { 'metadata.name': (i) => key(i).name, 'metadata.namespace': (i) => key(i).namespace };
}
