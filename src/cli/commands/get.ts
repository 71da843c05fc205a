import { readFileSync } from 'node:fs';
import { isPodGone } from '../../api/pods.js';
import { parseSelector, type Selector } from '../../api/selector.js';
import type { Job, JobStatus, KubeEvent, Pod } from '../../api/types.js';
import { GitjobsError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { listEvents } from '../../store/events.js';
import { getJobByName, listJobs } from '../../store/jobs.js';
import { getPodByName, listPods } from '../../store/pods.js';
import { listSources } from '../../store/sources.js';
import { getJobStatus } from '../../store/status.js';
import { parseCommand } from '../args.js';
import type { Io } from '../main.js';
import { executeJsonPath, parseJsonPath } from '../print/jsonpath.js';
import { formatJson, formatYaml } from '../print/format.js';
import { toEventObject, toJobObject, toList, toPodObject } from '../print/objects.js';
import { printEventsTable } from '../print/events-table.js';
import { printJobsTable } from '../print/jobs-table.js';
import { printPodsTable } from '../print/pods-table.js';
import { tabwrite, TABLE_LAYOUT } from '../print/tabwriter.js';
import { notFound, parseResourceArgs, type Resource } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Display one or many resources.

Usage:
  gitjobs get (jobs|pods|events|sources) [NAME...] [flags]
  gitjobs get TYPE/NAME [flags]

Options:
  -n, --namespace NS          namespace (default "default")
  -A, --all-namespaces        list across all namespaces
  -l, --selector SELECTOR     label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a
      --field-selector SEL    pods: status.phase=Running (also metadata.name, metadata.namespace)
  -o, --output FORMAT         wide|json|yaml|name|jsonpath=TEMPLATE|jsonpath-file=FILE
      --no-headers            omit the header row
  -a, --show-all              accepted for compatibility; finished pods are always listed
      --state DIR             state folder (default $GITJOBS_STATE or ./state)
`;

interface Row<T> {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  item: T;
}

export async function getCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('get', argv, {
    namespace: { type: 'string', short: 'n' },
    'all-namespaces': { type: 'boolean', short: 'A' },
    selector: { type: 'string', short: 'l' },
    'field-selector': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'no-headers': { type: 'boolean' },
    'show-all': { type: 'boolean', short: 'a' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const { resource, names } = parseResourceArgs(positionals, 'get');
  const allNamespaces = values['all-namespaces'] === true;
  const namespace = (values.namespace as string | undefined) ?? 'default';
  const selector = values.selector === undefined ? undefined : parseSelector(values.selector as string);
  const fieldSelector = values['field-selector'] === undefined ? undefined : parseFieldSelector(values['field-selector'] as string);
  const output = parseOutput(values.output as string | undefined);
  const now = Date.now();

  const db = openStateReadOnly(stateDirFrom(values.state as string | undefined));
  try {
    const rows = loadRows(db, resource, names, allNamespaces ? undefined : namespace);
    const filtered = rows.filter(
      (r) => (selector === undefined || selector.matches(r.labels)) && (fieldSelector === undefined || fieldSelector(r)),
    );
    const single = names.length === 1 && output.kind !== 'table';
    if (filtered.length === 0 && output.kind === 'table') {
      io.err(allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
      return 0;
    }
    switch (output.kind) {
      case 'json':
      case 'yaml': {
        const objects = filtered.map((r) => toObject(resource, r.item));
        const obj = single && objects.length === 1 ? objects[0]! : toList(objects);
        io.out(output.kind === 'json' ? formatJson(obj) : formatYaml(obj));
        return 0;
      }
      case 'jsonpath': {
        const objects = filtered.map((r) => toObject(resource, r.item));
        const data = single && objects.length === 1 ? objects[0]! : toList(objects);
        io.out(executeJsonPath(parseJsonPath(output.template), data));
        return 0;
      }
      case 'name':
        io.out(filtered.map((r) => `${resource === 'jobs' ? 'job.batch' : resource === 'pods' ? 'pod' : resource.replace(/s$/, '')}/${r.name}\n`).join(''));
        return 0;
      case 'table':
        io.out(printTable(resource, filtered, now, { wide: output.wide, noHeaders: values['no-headers'] === true, showNamespace: allNamespaces }));
        return 0;
    }
  } finally {
    db.close();
  }
}

function loadRows(db: Db, resource: Resource, names: string[], namespace: string | undefined): Row<unknown>[] {
  switch (resource) {
    case 'jobs': {
      const jobs =
        names.length > 0
          ? names.map((n) => getJobByName(db, namespace ?? 'default', n) ?? raise(notFound('jobs', n)))
          : listJobs(db, namespace);
      return jobs.map((job) => ({
        name: job.name,
        namespace: job.namespace,
        labels: job.labels,
        item: { job, status: getJobStatus(db, job.uid) } satisfies JobRow,
      }));
    }
    case 'pods': {
      const pods =
        names.length > 0
          ? names.map((n) => getPodByName(db, namespace ?? 'default', n) ?? raise(notFound('pods', n)))
          : listPods(db, namespace).filter((p) => !isPodGone(p));
      return pods.map((pod) => ({ name: pod.name, namespace: pod.namespace, labels: pod.labels, item: pod }));
    }
    case 'events': {
      return listEvents(db, namespace).map((e) => ({ name: e.involvedObject.name, namespace: e.involvedObject.namespace, labels: {}, item: e }));
    }
    case 'sources':
      return listSources(db).map((s) => ({ name: s.name, namespace: namespace ?? 'default', labels: {}, item: s }));
  }
}

interface JobRow {
  job: Job;
  status: JobStatus | undefined;
}

function toObject(resource: Resource, item: unknown): Record<string, unknown> {
  switch (resource) {
    case 'jobs': {
      const r = item as JobRow;
      return toJobObject(r.job, r.status);
    }
    case 'pods':
      return toPodObject(item as Pod);
    case 'events':
      return toEventObject(item as KubeEvent);
    case 'sources':
      return { apiVersion: 'gitjobs.io/v1', kind: 'Source', ...(item as object) };
  }
}

function printTable(resource: Resource, rows: Row<unknown>[], now: number, opts: { wide: boolean; noHeaders: boolean; showNamespace: boolean }): string {
  switch (resource) {
    case 'jobs':
      return printJobsTable(rows.map((r) => r.item as JobRow), now, opts);
    case 'pods':
      return printPodsTable(rows.map((r) => r.item as Pod), now, opts);
    case 'events':
      return printEventsTable(rows.map((r) => r.item as KubeEvent), now, opts);
    case 'sources': {
      const lines = opts.noHeaders ? [] : ['NAME\tKIND\tREVISION\tREADY\tMESSAGE'];
      for (const r of rows) {
        const s = r.item as ReturnType<typeof listSources>[number];
        lines.push([s.name, s.kind, s.revision ?? '', s.ready ? 'True' : 'False', s.message].join('\t'));
      }
      return tabwrite(lines.join('\n') + '\n', TABLE_LAYOUT);
    }
  }
}

type Output = { kind: 'table'; wide: boolean } | { kind: 'json' } | { kind: 'yaml' } | { kind: 'name' } | { kind: 'jsonpath'; template: string };

function parseOutput(o: string | undefined): Output {
  if (o === undefined) return { kind: 'table', wide: false };
  if (o === 'wide') return { kind: 'table', wide: true };
  if (o === 'json' || o === 'yaml' || o === 'name') return { kind: o };
  if (o.startsWith('jsonpath=')) return { kind: 'jsonpath', template: stripQuotes(o.slice('jsonpath='.length)) };
  if (o.startsWith('jsonpath-file=')) return { kind: 'jsonpath', template: readFileSync(o.slice('jsonpath-file='.length), 'utf8') };
  throw usageError(
    `unable to match a printer suitable for the output format "${o}", allowed formats are: json,jsonpath,jsonpath-file,name,wide,yaml`,
    'get',
  );
}

function stripQuotes(s: string): string {
  return s.length >= 2 && ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) ? s.slice(1, -1) : s;
}

function parseFieldSelector(text: string): (r: Row<unknown>) => boolean {
  const checks = text.split(',').map((part) => {
    const m = /^([a-zA-Z.]+)(==|!=|=)(.*)$/.exec(part.trim());
    if (!m) throw usageError(`invalid field selector "${part}"`, 'get');
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = (r: Row<unknown>): string | undefined => {
      if (field === 'metadata.name') return r.name;
      if (field === 'metadata.namespace') return r.namespace;
      if (field === 'status.phase') return (r.item as Pod).status?.phase;
      throw new GitjobsError('Usage', `error: field label not supported: ${field}`);
    };
    return (r: Row<unknown>) => (op === '!=' ? get(r) !== value : get(r) === value);
  });
  return (r) => checks.every((c) => c(r));
}

function raise(err: GitjobsError): never {
  throw err;
}

export type { Selector };
