// What `get` needs from each resource, one module per resource so that a
// command loads the store and print modules of its own resource only.

import type { Db } from '../../store/db.js';
import type { TableOptions } from '../print/table.js';

export interface Row<T> {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  item: T;
}

export interface LoadOptions {
  names: string[];
  /** Undefined: all namespaces. */
  namespace: string | undefined;
  /** The selector's exact key=value requirements, for the store to filter on before parsing anything. */
  labelHint: Readonly<Record<string, string>>;
}

export interface GetKind<T> {
  /** The named objects (NotFound for a missing one), or every object. */
  load(db: Db, opts: LoadOptions): Row<T>[];
  table(items: T[], now: number, opts: TableOptions): string;
  /** Tells a re-created object from the one `get -w` saw before under the same name. */
  uid(item: T): string;
}
