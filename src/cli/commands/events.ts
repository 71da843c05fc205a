import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import type { GetKind } from './get-kind.js';
import { resolveResource } from '../resources.js';
import { usageError } from '../usage.js';

const HELP = `List events (kubectl events): oldest first, optionally for one object, and as they happen with -w.

Usage:
  gitjobs events [--for TYPE/NAME] [--types Normal,Warning] [-w] [flags]

Options:
      --for TYPE/NAME     only the events of this object, e.g. job/pi or pod/pi-x7k2p
      --types TYPES       only these types, comma-separated: Normal, Warning
  -w, --watch             after the listing, print each new event as it happens
  -A, --all-namespaces    across all namespaces
  -o, --output FORMAT     json|yaml|name|wide (as get events)
      --no-headers        omit the header row
  -n, --namespace NS      namespace (default "default")
      --state DIR         state folder (default $GITJOBS_STATE or ./state)
`;

const KINDS = { jobs: 'Job',
  cronjobs: 'CronJob', pods: 'Pod', events: undefined, sources: 'Source', notifications: undefined } as const;

/** `kubectl events` is `get events` with its own way of saying which: translated, then listed by get. */
export async function eventsCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('events', argv, {
    for: { type: 'string' },
    types: { type: 'string' },
    watch: { type: 'boolean', short: 'w' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    output: { type: 'string', short: 'o' },
    'no-headers': { type: 'boolean' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"; use --for TYPE/NAME`, 'events');
  const fields: string[] = [];
  const target = values.for as string | undefined;
  if (target !== undefined) {
    const slash = target.indexOf('/');
    if (slash <= 0 || slash === target.length - 1) throw usageError(`--for takes TYPE/NAME, e.g. job/pi, not "${target}"`, 'events');
    const kind = KINDS[resolveResource(target.slice(0, slash))];
    if (kind === undefined) throw usageError(`--for: events have no events`, 'events');
    fields.push(`involvedObject.kind=${kind}`, `involvedObject.name=${target.slice(slash + 1)}`);
  }
  const types = values.types === undefined ? [] : (values.types as string).split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of types) {
    if (t !== 'Normal' && t !== 'Warning') throw usageError(`valid --types are Normal or Warning, not "${t}"`, 'events');
  }
  // Both types is every event; one is a filter.
  if (new Set(types).size === 1) fields.push(`type=${types[0]}`);
  const args = ['events'];
  if (fields.length > 0) args.push('--field-selector', fields.join(','));
  if (values.watch === true) args.push('--watch');
  if (values['all-namespaces'] === true) args.push('--all-namespaces');
  if (values['no-headers'] === true) args.push('--no-headers');
  for (const f of ['output', 'namespace', 'state'] as const) if (values[f] !== undefined) args.push(`--${f}`, values[f] as string);
  const byTime = import('./get-events.js').then((m) => m.eventsByTimeKind as GetKind<unknown>);
  return (await import('./get.js')).getCommand(args, io, { kind: byTime });
}
