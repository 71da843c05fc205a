// The Job a CronJob makes: its template's labels, annotations and spec, named
// by the caller. Pure; the Job is then created like any applied Job.
import type { CronJob } from '../api/cronjob.js';
import type { Labels, Millis } from '../api/types.js';
import { specHash, type ParsedJob } from '../manifest/index.js';

/** A ParsedJob of the template, as if the Job had been written in the CronJob's file. */
export function jobFromTemplate(cj: CronJob, name: string, extraAnnotations: Labels): ParsedJob {
  const t = cj.spec.jobTemplate;
  const annotations = { ...t.annotations, ...extraAnnotations };
  return {
    file: cj.origin.path ?? '',
    document: 0,
    line: cj.origin.line ?? 1,
    column: 1,
    namespace: cj.namespace,
    name,
    labels: { ...t.labels },
    annotations,
    spec: structuredClone(t.spec),
    specHash: specHash(t.spec, annotations),
    manifest: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: cj.namespace, labels: t.labels, annotations } },
  };
}

/** Go's `t.In(zone).Format(time.RFC3339)`: local wall time with its offset, `Z` for UTC. */
export function rfc3339InZone(ms: Millis, zone: string | undefined): string {
  const tz = zone ?? 'UTC';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', '');
  // Go writes Z for any zero offset (London in winter too).
  const suffix = offset === '' || offset === '+00:00' || offset === '-00:00' ? 'Z' : offset;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${suffix}`;
}
