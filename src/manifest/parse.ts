import { DEFAULT_NAMESPACE, type JobSpec } from '../api/types.js';
import { defaultJobSpec } from './defaults.js';
import { readYamlDocuments } from './documents.js';
import { jobSchema, listSchema } from './fields.js';
import { specHash } from './hash.js';
import { readCronJob, type ParsedCronJob } from './cronjob.js';
import { compareIssues, type ManifestIssue } from './issues.js';
import type { Locator, Position } from './locator.js';
import { formatValue, required } from './messages.js';
import { FieldPath } from './path.js';
import { Reporter } from './reporter.js';
import { checkObject, isPlainObject } from './structure.js';
import { validateJobName, validateObjectMeta } from './validate-meta.js';
import { dropGeneratedSelector } from './selector.js';
import { validateJobSpec } from './validate-spec.js';

export interface ParsedJob {
  file: string;
  /** 0-based index of the document (or `kind: List` item) in its file. */
  document: number;
  /** Where the document starts. */
  line: number;
  column: number;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Every Kubernetes default applied, but not yet the selector and labels generated from the uid. */
  spec: JobSpec;
  specHash: string;
  /** The document as written. */
  manifest: unknown;
}

export interface ManifestResult {
  jobs: ParsedJob[];
  issues: ManifestIssue[];
  /** The CronJobs among the documents (absent: none). */
  cronJobs?: ParsedCronJob[];
}

const API_VERSION = 'batch/v1';
const KIND = 'Job';
const CRONJOB_KIND = 'CronJob';

/** Where each job's `metadata.name` was written, for reporting duplicates there. */
const namePositions = new WeakMap<ParsedJob, Position>();

/** Where a job's `metadata.name` was written (for duplicate reports). */
export function namePosition(job: ParsedJob): Position | undefined {
  return namePositions.get(job);
}

/** Restores a name position on a job that crossed a thread boundary (structured clone drops it). */
export function setNamePosition(job: ParsedJob, pos: Position): void {
  namePositions.set(job, pos);
}

/** Parses and validates one file's text. Pure: the file name is only used in reports. */
export function parseManifest(text: string, file: string): ManifestResult {
  return rejectDuplicates(parseDocuments(text, file));
}

/** Like `parseManifest`, without the duplicate check, which must span all files read together. */
export function parseDocuments(text: string, file: string): ManifestResult {
  const read = readYamlDocuments(text, file);
  const jobs: ParsedJob[] = [];
  const cronJobs: ParsedCronJob[] = [];
  const issues: ManifestIssue[] = [];
  const byIndex = new Map(read.documents.map((d) => [d.index, d]));
  // A `kind: List` contributes one document number per item; later documents shift.
  const numbers = new Map<number, number>();
  let next = 0;
  for (let i = 0; i < Math.max(read.documentCount, 1); i++) {
    numbers.set(i, next);
    const doc = byIndex.get(i);
    if (doc === undefined) {
      next++;
      continue;
    }
    next += readDocument(doc.value, doc.locator, file, next, { jobs, cronJobs }, issues);
  }
  for (const issue of read.issues) issues.push({ ...issue, document: numbers.get(issue.document) ?? issue.document });
  issues.sort(compareIssues);
  return cronJobs.length === 0 ? { jobs, issues } : { jobs, issues, cronJobs };
}

/** Returns how many document numbers the value used. */
interface Found {
  jobs: ParsedJob[];
  cronJobs: ParsedCronJob[];
}

function readDocument(value: unknown, locator: Locator, file: string, document: number, found: Found, issues: ManifestIssue[]): number {
  const r = new Reporter(file, document, locator, issues);
  const root = FieldPath.root;
  if (!isPlainObject(value)) {
    const found = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    r.error('UnsupportedKind', root, `Invalid value: ${found}: a manifest must be a mapping with apiVersion and kind`);
    return 1;
  }
  const { apiVersion, kind } = value;
  if (kind === 'List' && apiVersion === 'v1') {
    const list = checkObject(value, listSchema, root, r);
    const items = list?.items;
    if (!Array.isArray(items)) {
      if (list !== undefined && items === undefined) r.error('FieldRequired', root.child('items'), required());
      return 1;
    }
    items.forEach((item, i) => readDocument(item, locator.subtree(['items', i]), file, document + i, found, issues));
    return Math.max(items.length, 1);
  }
  if (!checkKind(apiVersion, kind, r)) return 1;
  if (kind === CRONJOB_KIND) {
    const cronJob = readCronJob(value, r, file, document, locator);
    if (cronJob !== undefined) found.cronJobs.push(cronJob);
    return 1;
  }
  const job = readJob(value, r, file, document, locator);
  if (job !== undefined) found.jobs.push(job);
  return 1;
}

function checkKind(apiVersion: unknown, kind: unknown, r: Reporter): boolean {
  const kindPath = FieldPath.of('kind');
  if (kind === undefined || kind === null || kind === '') {
    r.error('UnsupportedKind', kindPath, required(`gitjobs runs ${API_VERSION} ${KIND} objects`));
    return false;
  }
  if (kind !== KIND && kind !== CRONJOB_KIND) {
    r.error('UnsupportedKind', kindPath, `Unsupported value: ${formatValue(kind)}: gitjobs runs ${API_VERSION} ${KIND} and ${CRONJOB_KIND} objects only`);
    return false;
  }
  if (apiVersion !== API_VERSION) {
    const path = FieldPath.of('apiVersion');
    const message =
      apiVersion === undefined || apiVersion === null || apiVersion === ''
        ? required(`${String(kind)} is served as ${API_VERSION}`)
        : `Unsupported value: ${formatValue(apiVersion)}: supported values: "${API_VERSION}"`;
    r.error('UnsupportedKind', path, message);
    return false;
  }
  return true;
}

function readJob(value: Record<string, unknown>, r: Reporter, file: string, document: number, locator: Locator): ParsedJob | undefined {
  const checked = checkObject(value, jobSchema, FieldPath.root, r) ?? {};
  const meta = (checked.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  const name = meta.name ?? '';
  const namespace = meta.namespace ?? DEFAULT_NAMESPACE;
  const annotations = { ...(meta.annotations ?? {}) };
  const rawMeta = value.metadata as Record<string, unknown> | undefined;
  // What a server generated (printed by `get -o yaml`) is not part of the request.
  const { labels, spec } = dropGeneratedSelector({ name, uid: rawMeta?.uid, labels: { ...(meta.labels ?? {}) }, spec: defaultJobSpec(checked.spec) });

  validateObjectMeta({ name: meta.name, namespace, labels, annotations }, validateJobName, r);
  if (!r.isSettled(FieldPath.of('spec'))) validateJobSpec(name, spec, r);
  if (r.hasErrors) return undefined;

  const job: ParsedJob = {
    file,
    document,
    line: locator.start.line,
    column: locator.start.column,
    namespace,
    name,
    labels,
    annotations,
    spec,
    specHash: specHash(spec, annotations),
    manifest: value,
  };
  namePositions.set(job, locator.locate(FieldPath.of('metadata', 'name')));
  return job;
}

/** Two documents naming the same Job: both are reported and neither is used, since either could be meant. */
export function rejectDuplicates(result: ManifestResult): ManifestResult {
  const groups = new Map<string, ParsedJob[]>();
  for (const job of result.jobs) {
    const key = `${job.namespace}/${job.name}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  const jobs: ParsedJob[] = [];
  const issues = [...result.issues];
  for (const [key, group] of groups) {
    if (group.length === 1) {
      jobs.push(...group);
      continue;
    }
    for (const job of group) {
      const pos = namePositions.get(job) ?? { line: job.line, column: job.column };
      const others = group.filter((g) => g !== job).map((g) => `${g.file}:${(namePositions.get(g) ?? g).line}`);
      issues.push({
        code: 'DuplicateJob',
        severity: 'error',
        file: job.file,
        line: pos.line,
        column: pos.column,
        document: job.document,
        field: 'metadata.name',
        message: `Duplicate value: ${formatValue(key)}: also defined at ${others.join(', ')}; neither is applied`,
      });
    }
  }
  const cronJobs = rejectDuplicateCronJobs(result.cronJobs ?? [], issues);
  issues.sort(compareIssues);
  return cronJobs.length === 0 ? { jobs, issues } : { jobs, issues, cronJobs };
}

function rejectDuplicateCronJobs(all: ParsedCronJob[], issues: ManifestIssue[]): ParsedCronJob[] {
  const groups = new Map<string, ParsedCronJob[]>();
  for (const c of all) groups.set(`${c.namespace}/${c.name}`, [...(groups.get(`${c.namespace}/${c.name}`) ?? []), c]);
  const kept: ParsedCronJob[] = [];
  for (const [key, group] of groups) {
    if (group.length === 1) {
      kept.push(...group);
      continue;
    }
    for (const c of group) {
      const others = group.filter((g) => g !== c).map((g) => `${g.file}:${g.line}`);
      issues.push({
        code: 'DuplicateJob',
        severity: 'error',
        file: c.file,
        line: c.line,
        column: c.column,
        document: c.document,
        field: 'metadata.name',
        message: `Duplicate value: ${formatValue(key)}: also defined at ${others.join(', ')}; neither is applied`,
      });
    }
  }
  return kept;
}
