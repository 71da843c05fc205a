// The CronJobs of a source's snapshot into the store, inside the sync's
// transaction: new ones, in-place updates (every CronJob field may change on a
// live CronJob; the Jobs it already made keep the template they were made from)
// and prunes. Jobs the CronJobs make are not the source's and never pruned here.
import { randomUUID } from 'node:crypto';
import type { CronJob, CronJobSpec } from '../api/cronjob.js';
import { sourceRef } from '../api/source-ref.js';
import type { JobOrigin } from '../api/types.js';
import type { ParsedCronJob } from '../manifest/cronjob.js';
import { canonicalJson } from '../manifest/messages.js';
import { getCronJobByName, insertCronJob, listCronJobsBySource, markCronJobDeleted, updateCronJob } from '../store/cronjobs.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import type { Logger } from '../util/logger.js';

export interface CronJobSnapshot {
  source: string;
  kind: JobOrigin['kind'];
  revision: string;
  commit?: JobOrigin['commit'];
  cronJobs: readonly ParsedCronJob[];
  /** Files that failed to parse or are held back: their CronJobs keep their last good state. */
  brokenFiles: ReadonlySet<string>;
}

export const PRUNE_ANNOTATION = 'gitjobs.io/prune';

/** Returns the uids of the CronJobs whose desired state changed. */
export function syncCronJobs(db: Db, snap: CronJobSnapshot, now: number, logger: Logger): string[] {
  const changed: string[] = [];
  const existing = new Map(listCronJobsBySource(db, snap.source).map((c) => [`${c.namespace}/${c.name}`, c]));
  const seen = new Set<string>();
  for (const p of snap.cronJobs) {
    const key = `${p.namespace}/${p.name}`;
    seen.add(key);
    const current = existing.get(key);
    if (current === undefined) {
      const taken = getCronJobByName(db, p.namespace, p.name);
      if (taken !== undefined) {
        const message = `${p.file}:${p.line}: cronjobs.batch "${p.name}" already exists (created by ${taken.origin.source}); not applied`;
        recordEvent(db, { object: sourceRef(snap.source), type: 'Warning', reason: 'AlreadyExists', message, source: 'gitjobs-sync' }, now);
        continue;
      }
      const c: CronJob = {
        uid: randomUUID(),
        namespace: p.namespace,
        name: p.name,
        labels: p.labels,
        annotations: p.annotations,
        creationTimestamp: now,
        generation: 1,
        spec: p.spec,
        appliedSpec: p.spec,
        origin: origin(p, snap),
      };
      insertCronJob(db, c);
      changed.push(c.uid);
      logger.info('cronjob created', { cronjob: key, schedule: p.spec.schedule, file: `${p.file}:${p.line}` });
      continue;
    }
    if (current.deletionTimestamp !== undefined) continue;
    const next = updated(current, p, snap);
    if (next !== undefined) {
      updateCronJob(db, next);
      changed.push(current.uid);
      if (next.generation !== current.generation) logger.info('cronjob updated', { cronjob: key, generation: next.generation });
    }
  }
  for (const [key, c] of existing) {
    if (seen.has(key) || c.deletionTimestamp !== undefined) continue;
    if (c.origin.path !== undefined && snap.brokenFiles.has(c.origin.path)) continue;
    if (c.annotations[PRUNE_ANNOTATION] === 'false') continue;
    markCronJobDeleted(db, c.uid, now, 'background');
    changed.push(c.uid);
    logger.info('cronjob pruned: manifest removed', { cronjob: key });
  }
  return changed;
}

/**
 * Three-way, as for Jobs: only the fields the manifest itself changed since it
 * was last applied are written, so `patch cronjob -p '{"spec":{"suspend":true}}'`
 * holds until the manifest changes suspend.
 */
function updated(c: CronJob, p: ParsedCronJob, snap: CronJobSnapshot): CronJob | undefined {
  const applied = c.appliedSpec ?? c.spec;
  const spec: CronJobSpec = { ...c.spec };
  const keys = new Set([...Object.keys(applied), ...Object.keys(p.spec)]) as Set<keyof CronJobSpec>;
  for (const k of keys) {
    if (same(applied[k], p.spec[k])) continue;
    if (p.spec[k] === undefined) delete spec[k];
    else (spec as unknown as Record<string, unknown>)[k] = p.spec[k];
  }
  const specChanged = !same(spec, c.spec);
  const o = origin(p, snap);
  const next: CronJob = { ...c, labels: p.labels, annotations: p.annotations, spec, appliedSpec: p.spec, origin: o };
  if (specChanged) next.generation = c.generation + 1;
  const metaChanged = !same(c.labels, p.labels) || !same(c.annotations, p.annotations) || !same(c.origin, o) || !same(applied, p.spec);
  return specChanged || metaChanged ? next : undefined;
}

function origin(p: ParsedCronJob, snap: CronJobSnapshot): JobOrigin {
  const o: JobOrigin = { kind: snap.kind, source: snap.source, path: p.file, line: p.line, revision: snap.revision };
  if (snap.commit !== undefined) o.commit = snap.commit;
  return o;
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}
