// The columns of `kubectl get jobs` from plain values, and the plain listing
// printed straight from the store's Job summaries: at 10,000 Jobs, building
// whole Job objects (and the wide columns' imports) for five short cells shows.

import type { JobConditionType } from '../../api/types.js';
import type { JobSummary } from '../../store/jobs.js';
import { age, humanDuration } from './duration.js';
import { formatLabels, renderTable, type TableOptions } from './table.js';

/** STATUS: `isTrue(type)` says whether the first condition of that type is True (kubectl looks at the first only). */
export function statusWord(isTrue: (type: JobConditionType) => boolean, deleting: boolean): string {
  if (isTrue('Complete')) return 'Complete';
  if (isTrue('Failed')) return 'Failed';
  if (deleting) return 'Terminating';
  if (isTrue('Suspended')) return 'Suspended';
  if (isTrue('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function completionsText(succeeded: number, completions: number | undefined, parallelism: number): string {
  if (completions !== undefined) return `${succeeded}/${completions}`;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function durationText(startTime: number | undefined, completionTime: number | undefined, now: number): string {
  if (startTime === undefined) return '';
  // Failed Jobs have no completionTime, so their duration keeps growing, as in kubectl.
  if (completionTime === undefined) return humanDuration(now - startTime);
  return humanDuration(completionTime - startTime);
}

/** Whether the first `type=` pair of a condition summary (`Complete=True,...`) says True; no allocation per call. */
export function summaryConditionTrue(summary: string, type: string): boolean {
  let from = 0;
  while (from < summary.length) {
    const comma = summary.indexOf(',', from);
    const end = comma === -1 ? summary.length : comma;
    if (summary.startsWith(type, from) && summary.charCodeAt(from + type.length) === 0x3d /* = */) {
      const value = from + type.length + 1;
      return end - value === 4 && summary.startsWith('True', value);
    }
    from = end + 1;
  }
  return false;
}

const HEADERS = ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'];

/** `get jobs` without `-o`: the same text as printJobsTable gives for the same Jobs. */
export function printJobSummaries(rows: readonly JobSummary[], now: number, opts: TableOptions = {}): string {
  const ns = opts.showNamespace === true;
  const labels = opts.showLabels === true;
  const headers = [...(ns ? ['NAMESPACE'] : []), ...HEADERS, ...(labels ? ['LABELS'] : [])];
  // Thousands of Jobs share a handful of condition summaries.
  const statuses = new Map<string, string>();
  const status = (r: JobSummary): string => {
    const key = r.deleting ? `-${r.conditions}` : r.conditions;
    let word = statuses.get(key);
    if (word === undefined) {
      word = statusWord((t) => summaryConditionTrue(r.conditions, t), r.deleting);
      statuses.set(key, word);
    }
    return word;
  };
  const cells: string[][] = new Array<string[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const line = [
      r.name,
      status(r),
      completionsText(r.succeeded, r.completions, r.parallelism),
      durationText(r.startTime, r.completionTime, now),
      age(r.creationTimestamp, now),
    ];
    if (ns) line.unshift(r.namespace);
    if (labels) line.push(formatLabels(r.labels));
    cells[i] = line;
  }
  return renderTable(headers, cells, opts.noHeaders);
}
