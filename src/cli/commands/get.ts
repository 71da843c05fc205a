import { readFileSync } from 'node:fs';
import type { Selector } from '../../api/selector.js';
import type { KubeEvent, Pod } from '../../api/types.js';
import { GitjobsError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { CHANGE_LOG_SCHEMA_VERSION, LISTING_SCHEMA_VERSION } from '../../store/schema.js';
import { parseCommandOrHelp } from '../args.js';
import type { Io } from '../io.js';
import { parseResourceArgs, type Resource } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import type { JobRow } from './get-jobs.js';
import type { CronJobRow } from '../print/cronjobs-table.js';
import type { GetKind, Row } from './get-kind.js';
import type * as Printers from './get-printers.js';
import type { CustomColumn } from './get-printers.js';
import { parseFieldSelector } from './get-fields.js';

// Loaded on demand (see get-printers.ts).
let P: typeof Printers;

const HELP = `Display one or many resources.

Usage:
  gitjobs get (jobs|cronjobs|pods|events|sources|notifications) [NAME...] [flags]
  gitjobs get TYPE/NAME [flags]
  gitjobs get all [flags]         pods, cronjobs and jobs, as kubectl get all

Options:
  -n, --namespace NS          namespace (default "default")
  -A, --all-namespaces        list across all namespaces
  -l, --selector SELECTOR     label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a
      --field-selector SEL    e.g. status.phase=Running (pods), involvedObject.name=pi,type=Warning (events);
                              also metadata.name, metadata.namespace, spec.nodeName, reason, status.successful
  -o, --output FORMAT         wide|json|yaml|name|jsonpath=TEMPLATE|jsonpath-file=FILE|
                              custom-columns=SPEC|custom-columns-file=FILE|go-template=TEMPLATE|go-template-file=FILE
      --no-headers            omit the header row
      --show-labels           add a LABELS column
      --sort-by JSONPATH      sort by a field of the object, e.g. .metadata.creationTimestamp or {.status.succeeded}
  -w, --watch                 after the listing, print a row each time a listed object changes (until interrupted)
      --watch-only            print only the changes, not the initial listing
  -a, --show-all              accepted for compatibility; finished pods are always listed
      --state DIR             state folder (default $GITJOBS_STATE or ./state)
`;

/** `kind` replaces the resource's usual one (`gitjobs events` lists events by time). */
export async function getCommand(argv: string[], io: Io, opts: { kind?: Promise<GetKind<unknown>> } = {}): Promise<number> {
  const parsed = parseCommandOrHelp('get', argv, {
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    selector: { type: 'string', short: 'l' },
    'field-selector': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'no-headers': { type: 'boolean' },
    'show-all': { type: 'boolean', short: 'a' },
    'show-labels': { type: 'boolean' },
    'sort-by': { type: 'string' },
    watch: { type: 'boolean', short: 'w' },
    'watch-only': { type: 'boolean' },
    state: { type: 'string' },
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  // `get all`: every kind a user runs, pods then jobs, each under its kind's name.
  const all = positionals.length === 1 && positionals[0] === 'all';
  const { resource, names } = all ? { resource: 'pods' as Resource, names: [] } : parseResourceArgs(positionals, 'get');
  const targets: Resource[] = all ? ['pods', 'cronjobs', 'jobs'] : [resource];
  const allNamespaces = values['all-namespaces'] === true;
  const namespace = (values.namespace as string | undefined) ?? 'default';
  const sortBy = values['sort-by'] as string | undefined;
  const watch = values.watch === true || values['watch-only'] === true;
  const flag = values.output as string | undefined;
  // A plain table of Jobs is printed from summaries (see printJobList).
  if (all && (watch || values['field-selector'] !== undefined)) throw usageError('get all takes neither --watch nor --field-selector', 'get');
  const plainJobList = !all && resource === 'jobs' && names.length === 0 && flag === undefined && sortBy === undefined && !watch;
  // What the command will need starts loading now, while the flags are checked and the state is opened.
  const listing = plainJobList ? jobListingModules() : undefined;
  const kindLoading = plainJobList ? undefined : (opts.kind ?? kindOf(resource));
  const selectorModule = values.selector === undefined ? undefined : import('../../api/selector.js');
  const objectsWanted = !(flag === undefined || flag === 'wide' || flag === 'name');
  if (objectsWanted || sortBy !== undefined || watch) P = await import('./get-printers.js');
  const versions = objectsWanted ? import('../../store/changes.js') : undefined;
  const selector = selectorModule === undefined ? undefined : (await selectorModule).parseSelector(values.selector as string);
  const fieldSelector = values['field-selector'] === undefined ? undefined : parseFieldSelector(values['field-selector'] as string, resource);
  const output = parseOutput(flag);
  const view: View = {
    resource,
    output,
    single: names.length === 1,
    version: () => undefined,
    listVersion: '',
    table: {
      wide: output.kind === 'table' && output.wide,
      noHeaders: values['no-headers'] === true,
      showNamespace: allNamespaces,
      showLabels: values['show-labels'] === true,
    },
  };
  const keep = (r: Row<unknown>): boolean =>
    (selector === undefined || selector.matches(r.labels)) && (fieldSelector === undefined || fieldSelector(r));
  const scope = allNamespaces ? undefined : namespace;
  const noneFound = (): number => {
    io.err(allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    return 0;
  };

  const db = openStateReadOnly(stateDirFrom(values.state as string | undefined));
  try {
    // A state folder not yet migrated by a daemon of this version lacks the summaries.
    if (listing !== undefined && (db.pragma('user_version', { simple: true }) as number) >= LISTING_SCHEMA_VERSION) {
      const keepJob = selector === undefined && fieldSelector === undefined ? undefined : keep;
      const text = printJobList(await listing, db, scope, view, selector !== undefined || view.table.showLabels, keepJob);
      if (text === '') return noneFound();
      io.out(text);
      return 0;
    }
    // resourceVersion as the API server reports it: each object's last change, and the newest for a list.
    if (versions !== undefined && (db.pragma('user_version', { simple: true }) as number) >= CHANGE_LOG_SCHEMA_VERSION) {
      const { currentResourceVersion, resourceVersionOf } = await versions;
      view.listVersion = String(currentResourceVersion(db));
      view.version = (r, item) => {
        const rv = r === 'jobs' ? resourceVersionOf(db, r, (item as JobRow).job.uid) : r === 'pods' ? resourceVersionOf(db, r, (item as Pod).uid) : undefined;
        return rv === undefined ? undefined : String(rv);
      };
    }
    if (all) return await getAll(view, targets, db, scope, keep, selector, sortBy, io, noneFound);
    const kind = await (kindLoading ?? kindOf(resource));
    const load = (names: string[]): Row<unknown>[] => kind.load(db, { names, namespace: scope, labelHint: equalityHint(selector) }).filter(keep);
    const rows = load(names);
    const sorted = sortBy === undefined ? rows : P.sortRows(rows, (r) => toObject(resource, r.item), sortBy);
    const watchOnly = values['watch-only'] === true;
    let printed = false;
    if (!watchOnly) {
      if (sorted.length === 0 && isTabular(output)) {
        noneFound();
        if (!watch) return 0;
      } else {
        io.out(render(view, kind, sorted, Date.now(), { headers: true, list: !watch }));
        printed = true;
      }
    }
    if (!watch) return 0;
    return await watchRows(view, kind, sorted, () => loadTolerant(load, names), io, !printed);
  } finally {
    db.close();
  }
}

/** `get all`: a table per kind with kind-prefixed names, or one List of every object. */
async function getAll(
  view: View,
  targets: Resource[],
  db: Db,
  scope: string | undefined,
  keep: (r: Row<unknown>) => boolean,
  selector: Selector | undefined,
  sortBy: string | undefined,
  io: Io,
  noneFound: () => number,
): Promise<number> {
  const sections: { resource: Resource; kind: GetKind<unknown>; rows: Row<unknown>[] }[] = [];
  for (const resource of targets) {
    const kind = await kindOf(resource);
    const rows = kind.load(db, { names: [], namespace: scope, labelHint: equalityHint(selector) }).filter(keep);
    const sorted = sortBy === undefined ? rows : P.sortRows(rows, (r) => toObject(resource, r.item), sortBy);
    if (sorted.length > 0) sections.push({ resource, kind, rows: sorted });
  }
  if (sections.length === 0 && isTabular(view.output)) return noneFound();
  const now = Date.now();
  if (view.output.kind === 'table' || view.output.kind === 'name') {
    const texts = sections.map((s) => {
      const v: View = { ...view, resource: s.resource, table: { ...view.table, kindPrefix: kindName(s.resource) } };
      return render(v, s.kind, s.rows, now, { headers: true, list: true });
    });
    io.out(texts.join(view.output.kind === 'table' ? '\n' : ''));
    return 0;
  }
  const objects = (): Record<string, unknown>[] => sections.flatMap((s) => s.rows.map((r) => objectOf(view, s.resource, r.item)));
  const anyKind = sections[0]?.kind ?? (await kindOf('pods'));
  io.out(render({ ...view, single: false }, anyKind, sections.flatMap((s) => s.rows), now, { headers: true, list: true }, objects));
  return 0;
}

/** How `-o name` and `get all` name a kind: `job.batch`, `pod`, `event`. */
function kindName(resource: Resource): string {
  return resource === 'jobs' ? 'job.batch' : resource === 'cronjobs' ? 'cronjob.batch' : resource === 'pods' ? 'pod' : resource.replace(/s$/, '');
}

function jobListingModules(): Promise<[typeof import('../../store/jobs.js'), typeof import('../print/jobs-listing.js')]> {
  return Promise.all([import('../../store/jobs.js'), import('../print/jobs-listing.js')]);
}

/**
 * `get jobs` as a plain table: Job summaries straight from the listing index
 * to text, without whole Job objects. '' when no Job is left to print.
 */
function printJobList(
  [{ listJobSummaries }, { printJobSummaries }]: Awaited<ReturnType<typeof jobListingModules>>,
  db: Db,
  namespace: string | undefined,
  view: View,
  labels: boolean,
  keep: ((r: Row<unknown>) => boolean) | undefined,
): string {
  let jobs = listJobSummaries(db, namespace, { labels });
  if (keep !== undefined) jobs = jobs.filter((j) => keep({ name: j.name, namespace: j.namespace, labels: j.labels, item: j }));
  return printJobSummaries(jobs, Date.now(), view.table);
}

async function kindOf(resource: Resource): Promise<GetKind<unknown>> {
  switch (resource) {
    case 'jobs':
      return (await import('./get-jobs.js')).jobsKind as GetKind<unknown>;
    case 'cronjobs':
      return (await import('./get-cronjobs.js')).cronJobsKind as GetKind<unknown>;
    case 'pods':
      return (await import('./get-pods.js')).podsKind as GetKind<unknown>;
    case 'events':
      return (await import('./get-events.js')).eventsKind as GetKind<unknown>;
    case 'sources':
      return (await import('./get-sources.js')).sourcesKind as GetKind<unknown>;
    case 'notifications':
      return (await import('./get-notifications.js')).notificationsKind as GetKind<unknown>;
  }
}

interface View {
  resource: Resource;
  output: Output;
  /** One object asked for by name: json, yaml and templates print it, not a List. */
  single: boolean;
  /** The object's resourceVersion, when the store keeps one. */
  version: (resource: Resource, item: unknown) => string | undefined;
  listVersion: string;
  table: { wide: boolean; noHeaders: boolean; showNamespace: boolean; showLabels: boolean; kindPrefix?: string };
}

/** The wire form of one row, with its resourceVersion. */
function objectOf(view: View, resource: Resource, item: unknown): Record<string, unknown> {
  const obj = toObject(resource, item);
  const rv = view.version(resource, item);
  if (rv !== undefined && typeof obj.metadata === 'object' && obj.metadata !== null) (obj.metadata as Record<string, unknown>).resourceVersion = rv;
  return obj;
}

function isTabular(o: Output): boolean {
  return o.kind === 'table' || o.kind === 'custom-columns';
}

/** Renders rows in the chosen format; `list: false` prints objects one by one, as a watch does. */
function render(
  view: View,
  kind: GetKind<unknown>,
  rows: Row<unknown>[],
  now: number,
  opts: { headers: boolean; list: boolean },
  objects: () => Record<string, unknown>[] = () => rows.map((r) => objectOf(view, view.resource, r.item)),
): string {
  const { resource, output } = view;
  const data = (): unknown[] => {
    const objs = objects();
    if (!opts.list) return objs;
    if (view.single && objs.length === 1) return [objs[0]!];
    const list = P.toList(objs);
    (list.metadata as Record<string, unknown>).resourceVersion = view.listVersion;
    return [list];
  };
  switch (output.kind) {
    case 'json':
      return data().map(P.formatJson).join('');
    case 'yaml':
      return data().map((o, i) => (opts.list || i === 0 ? '' : '---\n') + P.formatYaml(o)).join('');
    case 'jsonpath': {
      const template = P.parseJsonPath(output.template);
      return data().map((d) => P.executeJsonPath(template, d)).join('');
    }
    case 'go-template':
      return data().map((d) => P.executeGoTemplate(output.template, d)).join('');
    case 'name':
      return rows.map((r) => `${kindName(resource)}/${r.name}\n`).join('');
    case 'custom-columns':
      return P.printCustomColumns(output.columns, objects(), { noHeaders: view.table.noHeaders || !opts.headers });
    case 'table':
      return kind.table(rows.map((r) => r.item), now, { ...view.table, noHeaders: view.table.noHeaders || !opts.headers });
  }
}

const WATCH_POLL_MS = 200;

/**
 * `get -w`: polls the read-only store and prints each listed object again when
 * it changes, appears or goes away, until the process is interrupted.
 */
async function watchRows(
  view: View,
  kind: GetKind<unknown>,
  initial: Row<unknown>[],
  reload: () => Row<unknown>[],
  io: Io,
  headersFirst: boolean,
): Promise<number> {
  const seen = new Map<string, { print: string; row: Row<unknown> }>();
  for (const r of initial) seen.set(rowKey(kind, r), { print: fingerprint(view.resource, r), row: r });
  let headers = headersFirst;
  for (;;) {
    await new Promise((r) => setTimeout(r, WATCH_POLL_MS));
    const changed: Row<unknown>[] = [];
    const current = new Set<string>();
    for (const r of reload()) {
      const key = rowKey(kind, r);
      current.add(key);
      const print = fingerprint(view.resource, r);
      if (seen.get(key)?.print !== print) changed.push(r);
      seen.set(key, { print, row: r });
    }
    for (const [key, { row }] of seen) {
      if (current.has(key)) continue;
      changed.push(row); // a deleted object is printed one last time, as kubectl does
      seen.delete(key);
    }
    if (changed.length === 0) continue;
    io.out(render(view, kind, changed, Date.now(), { headers, list: false }));
    headers = false;
  }
}

function rowKey(kind: GetKind<unknown>, r: Row<unknown>): string {
  return `${r.namespace}/${r.name}/${kind.uid(r.item)}`;
}

function fingerprint(resource: Resource, r: Row<unknown>): string {
  return JSON.stringify(toObject(resource, r.item));
}

/** Like `load`, but a named object that is gone is simply absent. */
function loadTolerant(load: (names: string[]) => Row<unknown>[], names: string[]): Row<unknown>[] {
  if (names.length === 0) return load(names);
  return names.flatMap((n) => {
    try {
      return load([n]);
    } catch (err) {
      if (err instanceof GitjobsError && err.code === 'NotFound') return [];
      throw err;
    }
  });
}

/** The selector's exact key=value requirements: the store can filter on them before anything is parsed. */
function equalityHint(selector: Selector | undefined): Record<string, string> {
  const hint: Record<string, string> = {};
  for (const r of selector?.requirements ?? []) {
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) hint[r.key] = r.values[0]!;
  }
  return hint;
}

function toObject(resource: Resource, item: unknown): Record<string, unknown> {
  switch (resource) {
    case 'jobs': {
      const r = item as JobRow;
      return P.toJobObject(r.job, r.status);
    }
    case 'cronjobs': {
      const r = item as CronJobRow;
      return P.toCronJobObject(r.cronJob, r.status);
    }
    case 'pods':
      return P.toPodObject(item as Pod);
    case 'events':
      return P.toEventObject(item as KubeEvent);
    case 'sources':
      return { apiVersion: 'gitjobs.io/v1', kind: 'Source', metadata: { name: P.sourceObjectName((item as { name: string }).name) }, ...(item as object) };
    case 'notifications':
      return { apiVersion: 'gitjobs.io/v1', kind: 'Notification', ...(item as object) };
  }
}

type Output =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string }
  | { kind: 'go-template'; template: string }
  | { kind: 'custom-columns'; columns: CustomColumn[] };

function parseOutput(o: string | undefined): Output {
  if (o === undefined) return { kind: 'table', wide: false };
  if (o === 'wide') return { kind: 'table', wide: true };
  if (o === 'json' || o === 'yaml' || o === 'name') return { kind: o };
  if (o.startsWith('jsonpath=')) return { kind: 'jsonpath', template: stripQuotes(o.slice('jsonpath='.length)) };
  if (o.startsWith('jsonpath-file=')) return { kind: 'jsonpath', template: readFileSync(o.slice('jsonpath-file='.length), 'utf8') };
  for (const prefix of ['go-template=', 'template=']) {
    if (o.startsWith(prefix)) return { kind: 'go-template', template: stripQuotes(o.slice(prefix.length)) };
  }
  for (const prefix of ['go-template-file=', 'templatefile=']) {
    if (o.startsWith(prefix)) return { kind: 'go-template', template: readFileSync(o.slice(prefix.length), 'utf8') };
  }
  if (o.startsWith('custom-columns=')) return { kind: 'custom-columns', columns: P.parseCustomColumns(o.slice('custom-columns='.length)) };
  if (o.startsWith('custom-columns-file=')) {
    return { kind: 'custom-columns', columns: P.parseCustomColumnsFile(readFileSync(o.slice('custom-columns-file='.length), 'utf8')) };
  }
  throw usageError(
    `unable to match a printer suitable for the output format "${o}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-file,name,template,templatefile,wide,yaml`,
    'get',
  );
}

function stripQuotes(s: string): string {
  return s.length >= 2 && ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) ? s.slice(1, -1) : s;
}

export type { Selector };
