import type { KubeEvent } from '../../api/types.js';
import { listEvents } from '../../store/events.js';
import { printEventsTable } from '../print/events-table.js';
import { eventName } from '../print/objects.js';
import type { GetKind } from './get-kind.js';

export const eventsKind: GetKind<KubeEvent> = {
  load: (db, { namespace }) =>
    listEvents(db, namespace).map((e) => ({ name: e.involvedObject.name, namespace: e.involvedObject.namespace, labels: {}, item: e })),
  table: printEventsTable,
  // Many events share an involved object: each is its own row in a watch, printed once (and again when its count grows).
  uid: eventName,
};
