import { nodeOf } from '../../api/node.js';
import { isPodGone } from '../../api/pods.js';
import type { Pod } from '../../api/types.js';
import { toPodObject } from '../../cli/print/objects.js';
import { podTableColumns } from '../../cli/print/pods-table.js';
import { getPod, getPodByName, listPods } from '../../store/pods.js';
import { metaFields, resource, type ItemKey } from '../registry.js';
import { podWrites } from '../pod-writes.js';

const key = (p: Pod): ItemKey => ({ namespace: p.namespace, name: p.name, uid: p.uid, labels: p.labels });

export const pods = resource<Pod>({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  singular: 'pod',
  namespaced: true,
  verbs: ['delete', 'get', 'list', 'watch'],
  shortNames: ['po'],
  categories: ['all'],
  subresources: [{ name: 'log', kind: 'Pod', verbs: ['get'] }],
  feed: 'pods',
  list: (ctx, namespace) => listPods(ctx.db, namespace).filter((p) => !isPodGone(p)),
  get: (ctx, namespace, name) => getPodByName(ctx.db, namespace, name),
  byUid: (ctx, uid) => getPod(ctx.db, uid),
  fromDeleted: (d) => (d.kind === 'pods' ? d.pod : undefined),
  key,
  toObject: toPodObject,
  fields: {
    ...metaFields(key),
    'status.phase': (p) => p.status.phase,
    'spec.restartPolicy': (p) => p.spec.restartPolicy,
    'spec.nodeName': (p) => nodeOf(p)?.name ?? '',
    'spec.serviceAccountName': (p) => p.spec.serviceAccountName ?? '',
    'status.podIP': (p) => nodeOf(p)?.ip ?? '',
  },
  columns: (now) => podTableColumns(now),
  writes: podWrites,
});
