import type { KubeEvent } from '../../api/types.js';
import { eventColumns, sortEvents } from '../../cli/print/events-table.js';
import { eventName, rfc3339, toEventObject } from '../../cli/print/objects.js';
import { getEventById, listEvents } from '../../store/events.js';
import { resource, type AnyResource, type ItemKey, type ResourceType } from '../registry.js';

// Events are served twice, as a cluster serves them: core/v1 (what kubectl
// get events reads) and events.k8s.io/v1 (what newer clients read).

const key = (e: KubeEvent): ItemKey => {
  const name = eventName(e);
  return { namespace: e.involvedObject.namespace, name, uid: name, labels: {} };
};

const involved = (e: KubeEvent): Record<string, unknown> => toEventObject(e).involvedObject as Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The API server's event field selectors; events.k8s.io names the involved object `regarding`. */
const FIELDS: Record<string, (e: KubeEvent) => string> = {
  'metadata.name': (e) => key(e).name,
  'metadata.namespace': (e) => e.involvedObject.namespace,
  'involvedObject.kind': (e) => e.involvedObject.kind,
  'involvedObject.namespace': (e) => e.involvedObject.namespace,
  'involvedObject.name': (e) => e.involvedObject.name,
  'involvedObject.uid': (e) => e.involvedObject.uid ?? '',
  'involvedObject.apiVersion': (e) => str(involved(e).apiVersion),
  'involvedObject.resourceVersion': () => '',
  'involvedObject.fieldPath': () => '',
  reason: (e) => e.reason,
  reportingComponent: (e) => e.source,
  source: (e) => e.source,
  type: (e) => e.type,
};
const REGARDING: Record<string, (e: KubeEvent) => string> = Object.fromEntries(
  Object.entries(FIELDS)
    .filter(([k]) => k.startsWith('involvedObject.'))
    .map(([k, f]) => [k.replace('involvedObject.', 'regarding.'), f]),
);

function findEvent(list: KubeEvent[], name: string): KubeEvent | undefined {
  return list.find((e) => eventName(e) === name);
}

const common: Omit<ResourceType<KubeEvent>, 'group' | 'toObject' | 'shortNames' | 'fields'> = {
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  verbs: ['get', 'list', 'watch'],
  categories: [],
  subresources: [],
  feed: 'events',
  list: (ctx, namespace) => listEvents(ctx.db, namespace),
  get: (ctx, namespace, name) => findEvent(listEvents(ctx.db, namespace), name),
  byUid: (ctx, uid) => getEventById(ctx.db, Number(uid)),
  fromDeleted: (d) => (d.kind === 'events' ? d.event : undefined),
  key,
  columns: eventColumns,
  order: sortEvents,
  writes: {},
};

export const coreEvents: AnyResource = resource<KubeEvent>({ ...common, group: '', shortNames: ['ev'], toObject: toEventObject, fields: FIELDS });

export const eventsV1: AnyResource = resource<KubeEvent>({
  ...common,
  group: 'events.k8s.io',
  shortNames: ['ev'],
  fields: { ...FIELDS, ...REGARDING },
  toObject(e) {
    const core = toEventObject(e);
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: core.metadata,
      eventTime: rfc3339(e.firstTimestamp).replace('Z', '.000000Z'),
      reportingController: e.source,
      reportingInstance: '',
      action: e.reason,
      reason: e.reason,
      regarding: core.involvedObject,
      note: e.message,
      type: e.type,
      deprecatedSource: { component: e.source },
      deprecatedFirstTimestamp: core.firstTimestamp,
      deprecatedLastTimestamp: core.lastTimestamp,
      deprecatedCount: e.count,
    };
  },
});
