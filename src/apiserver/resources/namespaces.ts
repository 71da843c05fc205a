import { DEFAULT_NAMESPACE } from '../../api/types.js';
import { age } from '../../cli/print/duration.js';
import { rfc3339 } from '../../cli/print/objects.js';
import type { Db } from '../../store/db.js';
import { resource, type ItemKey } from '../registry.js';

// There are no Namespace objects: a namespace exists while something is in it
// (and `default` always), created when its first object was.

export interface NamespaceRow {
  name: string;
  creationTimestamp: number;
}

function namespaceRows(db: Db): NamespaceRow[] {
  const rows = db
    .prepare(
      `SELECT namespace AS name, min(created_at) AS created FROM (
         SELECT namespace, created_at FROM jobs UNION ALL SELECT namespace, created_at FROM pods WHERE gone = 0
       ) GROUP BY namespace ORDER BY namespace`,
    )
    .all() as { name: string; created: number }[];
  const out = rows.map((r) => ({ name: r.name, creationTimestamp: r.created }));
  if (!out.some((r) => r.name === DEFAULT_NAMESPACE)) out.unshift({ name: DEFAULT_NAMESPACE, creationTimestamp: 0 });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const key = (n: NamespaceRow): ItemKey => ({ namespace: '', name: n.name, uid: n.name, labels: { 'kubernetes.io/metadata.name': n.name } });

export const namespaces = resource<NamespaceRow>({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  verbs: ['get', 'list'],
  shortNames: ['ns'],
  categories: [],
  subresources: [],
  list: (ctx) => namespaceRows(ctx.db),
  get: (ctx, _ns, name) => namespaceRows(ctx.db).find((n) => n.name === name),
  key,
  toObject: (n) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: n.name, uid: n.name, creationTimestamp: rfc3339(n.creationTimestamp), labels: key(n).labels },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }),
  fields: { 'metadata.name': (n) => n.name, 'status.phase': () => 'Active' },
  columns: (now) => [
    { header: 'NAME', cell: (n) => n.name },
    { header: 'STATUS', cell: () => 'Active' },
    { header: 'AGE', cell: (n) => age(n.creationTimestamp, now) },
  ],
  writes: {},
});
