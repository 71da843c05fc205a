import type { Column } from '../cli/print/table.js';
import type { Obj } from './registry.js';

// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`):
// the CLI printer's columns as a meta.k8s.io Table, so that `kubectl get`
// prints what `gitjobs get` prints.

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Whether the client asked for a Table (kubectl does, for every human-readable get). */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}

/** `LAST SEEN` → `Last Seen`: the API server's column names; kubectl prints them upper-cased. */
function columnName(header: string): string {
  return header.toLowerCase().replace(/(^|\s)\S/g, (c) => c.toUpperCase());
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/**
 * `cellsOf` stands in for the columns where there is no item to print from
 * (an object whose row is gone by the time a watch reports its deletion).
 */
export function toTable(columns: readonly Column<unknown>[], items: unknown[], objects: Obj[], include: IncludeObject, listMeta: Obj, cellsOf?: (header: string) => string): Obj {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c, i) => ({
      name: columnName(c.header),
      type: 'string',
      format: i === 0 && c.header === 'NAME' ? 'name' : '',
      description: '',
      priority: c.wide === true ? 1 : 0,
    })),
    rows: items.map((item, i) => ({
      cells: columns.map((c) => (cellsOf === undefined ? c.cell(item) : cellsOf(c.header))),
      ...(include === 'None' ? {} : { object: include === 'Object' ? objects[i] : partialMetadata(objects[i]!) }),
    })),
  };
}

function partialMetadata(o: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}
