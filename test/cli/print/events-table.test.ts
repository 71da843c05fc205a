import { describe, expect, it } from 'vitest';
import { printEventsTable, sortEvents } from '../../../src/cli/print/events-table.js';
import { event, sec, T0 } from './fixtures.js';

describe('printEventsTable', () => {
  const events = [
    event({ reason: 'Completed', message: 'Job completed', firstTimestamp: T0 + sec(14), lastTimestamp: T0 + sec(14) }),
    event({ involvedObject: { kind: 'Pod', namespace: 'default', name: 'pi-5rwd7' }, source: 'kubelet', reason: 'Started', message: 'Started container pi ', firstTimestamp: T0 + sec(3), lastTimestamp: T0 + sec(3) }),
    event({ firstTimestamp: T0 + sec(1), lastTimestamp: T0 + sec(1) }),
  ];

  it('lists events in the order given (sortEvents: oldest first) with kind/name objects', () => {
    expect(printEventsTable(sortEvents(events), T0 + sec(75))).toBe(
      [
        'LAST SEEN   TYPE     REASON             OBJECT         MESSAGE',
        '74s         Normal   SuccessfulCreate   job/pi         Created pod: pi-5rwd7',
        '72s         Normal   Started            pod/pi-5rwd7   Started container pi',
        '61s         Normal   Completed          job/pi         Job completed',
        '',
      ].join('\n'),
    );
  });

  it('shows the last occurrence of a repeated event', () => {
    const repeated = event({ type: 'Warning', reason: 'FailedCreate', message: 'boom', count: 4, firstTimestamp: T0, lastTimestamp: T0 + sec(50) });
    expect(printEventsTable([repeated], T0 + sec(60), { noHeaders: true, showNamespace: true })).toBe(
      'default   10s   Warning   FailedCreate   job/pi   boom\n',
    );
  });
});
