import type { KubeEvent } from '../../api/types.js';
import { listEvents } from '../../store/events.js';
import { printEventsTable, sortEvents } from '../print/events-table.js';
import { eventName } from '../print/objects.js';
import type { GetKind, Row } from './get-kind.js';

const rowsOf = (events: KubeEvent[]): Row<KubeEvent>[] =>
  events.map((e) => ({ name: e.involvedObject.name, namespace: e.involvedObject.namespace, labels: {}, item: e }));

const byName = (a: KubeEvent, b: KubeEvent): number => {
  const x = `${a.involvedObject.namespace}/${eventName(a)}`;
  const y = `${b.involvedObject.namespace}/${eventName(b)}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** `get events`: in the API server's list order, by namespace and event name, which is what kubectl get events shows. */
export const eventsKind: GetKind<KubeEvent> = {
  load: (db, { namespace }) => rowsOf(listEvents(db, namespace).sort(byName)),
  table: printEventsTable,
  // Many events share an involved object: each is its own row in a watch, printed once (and again when its count grows).
  uid: eventName,
};

/** `gitjobs events`, as kubectl events: oldest first. */
export const eventsByTimeKind: GetKind<KubeEvent> = {
  ...eventsKind,
  load: (db, { namespace }) => rowsOf(sortEvents(listEvents(db, namespace))),
};
