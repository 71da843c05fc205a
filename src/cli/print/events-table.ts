// `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE.

import type { KubeEvent } from '../../api/types.js';
import { age } from './duration.js';
// Kept with describe's sections: a describe then loads no table printer.
import { sortEvents } from './describe-common.js';
import { eventName } from './objects.js';
import { printTable, type Column, type TableOptions } from './table.js';

/** `job/pi`, `pod/pi-x7k2p`: the lower-cased kind and the name. */
export function eventObjectColumn(e: KubeEvent): string {
  const kind = e.involvedObject.kind.toLowerCase();
  return e.involvedObject.name === '' ? kind : `${kind}/${e.involvedObject.name}`;
}

export { sortEvents };

/** The columns of `kubectl get events`, also the API's server-side Table. */
export function eventColumns(now: number): Column<KubeEvent>[] {
  return [
    { header: 'LAST SEEN', cell: (e) => age(e.lastTimestamp === 0 ? e.firstTimestamp : e.lastTimestamp, now) },
    { header: 'TYPE', cell: (e) => e.type },
    { header: 'REASON', cell: (e) => e.reason },
    { header: 'OBJECT', cell: eventObjectColumn },
    { header: 'SUBOBJECT', wide: true, cell: () => '' },
    { header: 'SOURCE', wide: true, cell: (e) => e.source },
    { header: 'MESSAGE', cell: (e) => e.message.trim() },
    { header: 'FIRST SEEN', wide: true, cell: (e) => age(e.firstTimestamp, now) },
    { header: 'COUNT', wide: true, cell: (e) => String(e.count) },
    { header: 'NAME', wide: true, cell: eventName },
  ];
}

/** The rows in the order given: `get events` lists by name as the API server does, `events` by time. */
export function printEventsTable(events: KubeEvent[], now: number, opts: TableOptions = {}): string {
  return printTable(eventColumns(now), events, { ...opts, namespaceOf: (e) => e.involvedObject.namespace });
}
