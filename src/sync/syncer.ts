import { sourceRef } from '../api/source-ref.js';
import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE_TTL_CONTROLLER, type CommitInfo, type Job } from '../api/types.js';
import { formatIssue, materializeJob, rejectDuplicates, type ManifestResult, type ParsedJob } from '../manifest/index.js';
import type { Db } from '../store/db.js';
import { recordEvent } from '../store/events.js';
import { getJobByName, insertJob, listJobsBySource, markJobDeleted, updateJob } from '../store/jobs.js';
import { findRunsBySpec, insertRun, markRunDeleted, type RunTrigger } from '../store/runs.js';
import { putSource, type SourceRecord } from '../store/sources.js';
import type { Logger } from '../util/logger.js';
import { syncCronJobs, type CronJobSnapshot } from './cronjobs.js';
import { changedMutableFields, diffDesired } from './diff.js';

/**
 * Deletions after which the same spec is not started again by the source: the
 * TTL controller's and a user's `gitjobs delete`. A pruned or superseded run
 * does not count: putting the manifest back is a new request.
 */
export const TOMBSTONE_DELETERS: ReadonlySet<string> = new Set([EVENT_SOURCE_TTL_CONTROLLER, 'kubectl']);

export interface SourceSnapshot {
  name: string;
  kind: 'dir' | 'git';
  url: string;
  revision: string;
  manifests: ManifestResult;
  /** The commit the manifests were read from (Git sources). */
  commit?: CommitInfo;
  /** Files not to act on yet (still being written): their Jobs are neither changed nor pruned. */
  heldBack?: string[];
}

export interface SyncResult {
  /** Jobs whose desired state changed: the controller must look at them. */
  changed: string[];
  created: number;
  updated: number;
  replaced: number;
  pruned: number;
  /** CronJobs whose desired state changed: the CronJob controller must look at them. */
  changedCronJobs: string[];
}

/**
 * Writes a source's desired state into the store in one transaction: new Jobs,
 * in-place updates of mutable fields, replacements and prunes. Manifest issues
 * are recorded on the source and as events; they never stop the other Jobs.
 */
export function syncSource(db: Db, snap: SourceSnapshot, now: number, logger: Logger, previousIssues: Set<string>): SyncResult {
  const result: SyncResult = { changed: [], created: 0, updated: 0, replaced: 0, pruned: 0, changedCronJobs: [] };
  // Whatever produced the snapshot, two Jobs with one name never reach the store.
  const manifests = rejectDuplicates(snap.manifests);
  const issues = manifests.issues;
  const brokenFiles = new Set([...issues.filter((i) => i.severity === 'error').map((i) => i.file), ...(snap.heldBack ?? [])]);
  const errors = issues.filter((i) => i.severity === 'error');
  const sourceObject = sourceRef(snap.name);

  db.transaction(() => {
    const existing = listJobsBySource(db, snap.name);
    const change = diffDesired({
      desired: manifests.jobs,
      existing,
      brokenFiles,
      alreadyRan: (p) => findRunsBySpec(db, p.namespace, p.name, p.specHash).some((r) => r.deletedBy !== undefined && TOMBSTONE_DELETERS.has(r.deletedBy)),
    });

    for (const p of change.create) {
      const taken = getJobByName(db, p.namespace, p.name);
      if (taken !== undefined) {
        // Another origin (an applied Job, or another source) owns the name: report, never clobber.
        const message = `${p.file}:${p.line}: jobs.batch "${p.name}" already exists (created by ${taken.origin.kind === 'apply' ? 'gitjobs apply' : taken.origin.source}); not applied`;
        recordEvent(db, { object: sourceObject, type: 'Warning', reason: 'AlreadyExists', message, source: 'gitjobs-sync' }, now);
        logger.warn('manifest not applied', { issue: message });
        continue;
      }
      const job = newJob(p, snap, now);
      insertJob(db, job);
      insertRun(db, job, triggerFor(db, p, snap.kind));
      result.changed.push(job.uid);
      result.created++;
      logger.info('job created', { job: `${job.namespace}/${job.name}`, uid: job.uid, file: `${p.file}:${p.line}` });
    }
    for (const { job, parsed } of change.update) {
      // The run keeps the revision that started it; its path and line follow the file.
      const next: Job = {
        ...job,
        labels: jobLabels(job, parsed),
        annotations: parsed.annotations,
        origin: { ...job.origin, path: parsed.file, line: parsed.line },
        appliedSpec: parsed.spec,
      };
      const spec = { ...job.spec };
      let specChanged = false;
      // Three-way: only what the manifest itself changed is applied, so a value
      // set through the CLI survives rescans until the manifest changes it.
      for (const f of changedMutableFields(job, parsed)) {
        if (JSON.stringify(spec[f]) !== JSON.stringify(parsed.spec[f])) {
          (spec as Record<string, unknown>)[f] = parsed.spec[f];
          specChanged = true;
        }
      }
      if (specChanged) {
        next.spec = spec;
        next.generation = job.generation + 1;
      }
      updateJob(db, next);
      result.changed.push(job.uid);
      result.updated++;
      if (specChanged) logger.info('job updated in place', { job: `${job.namespace}/${job.name}`, generation: next.generation });
    }
    for (const { job, changedFields } of change.replace) {
      markJobDeleted(db, job.uid, now);
      markRunDeleted(db, job.uid, now, 'superseded');
      const fields = changedFields.length > 0 ? changedFields.join(', ') : 'spec';
      recordEvent(
        db,
        {
          object: { kind: 'Job', namespace: job.namespace, name: job.name, uid: job.uid },
          type: 'Normal',
          reason: 'Superseded',
          message: `Manifest changed immutable fields (${fields}); this run is replaced by a new Job`,
          source: 'gitjobs-sync',
        },
        now,
      );
      result.changed.push(job.uid);
      result.replaced++;
      logger.info('job superseded', { job: `${job.namespace}/${job.name}`, fields });
    }
    for (const job of change.prune) {
      markJobDeleted(db, job.uid, now);
      markRunDeleted(db, job.uid, now, 'pruned');
      result.changed.push(job.uid);
      result.pruned++;
      logger.info('job pruned: manifest removed', { job: `${job.namespace}/${job.name}` });
    }

    const cronSnap: CronJobSnapshot = { source: snap.name, kind: snap.kind, revision: snap.revision, cronJobs: manifests.cronJobs ?? [], brokenFiles };
    if (snap.commit !== undefined) cronSnap.commit = snap.commit;
    result.changedCronJobs = syncCronJobs(db, cronSnap, now, logger);

    const record: SourceRecord = {
      name: snap.name,
      kind: snap.kind,
      url: snap.url,
      revision: snap.revision,
      lastSync: now,
      ready: errors.length === 0,
      message:
        errors.length === 0
          ? `Applied revision ${snap.revision}`
          : `${errors.length} manifest error(s); other Jobs applied from revision ${snap.revision}`,
      issues: issues.map((i) => ({ file: i.file, line: i.line, column: i.column, field: i.field, message: i.message, severity: i.severity })),
    };
    putSource(db, record);
    for (const issue of issues) {
      const text = formatIssue(issue);
      if (previousIssues.has(text)) continue;
      recordEvent(
        db,
        { object: sourceObject, type: issue.severity === 'error' ? 'Warning' : 'Normal', reason: 'InvalidManifest', message: text, source: 'gitjobs-sync' },
        now,
      );
    }
  })();

  // Log each problem once, not on every rescan.
  const current = new Set(issues.map(formatIssue));
  for (const text of current) if (!previousIssues.has(text)) logger.warn('manifest problem', { issue: text });
  previousIssues.clear();
  for (const t of current) previousIssues.add(t);
  return result;
}

function newJob(p: ParsedJob, snap: SourceSnapshot, now: number): Job {
  const uid = randomUUID();
  const { labels, spec } = materializeJob(p, uid);
  return {
    uid,
    namespace: p.namespace,
    name: p.name,
    labels,
    annotations: p.annotations,
    creationTimestamp: now,
    generation: 1,
    spec,
    specHash: p.specHash,
    origin: origin(p, snap),
    appliedSpec: p.spec,
  };
}

function jobLabels(job: Job, p: ParsedJob): Job['labels'] {
  // Labels are mutable; the generated ones stay because the selector depends on them.
  return materializeJob(p, job.uid).labels;
}

function origin(p: ParsedJob, snap: SourceSnapshot): Job['origin'] {
  const o: Job['origin'] = { kind: snap.kind, source: snap.name, path: p.file, line: p.line, revision: snap.revision };
  if (snap.commit !== undefined) o.commit = snap.commit;
  return o;
}

function triggerFor(db: Db, p: ParsedJob, kind: SourceSnapshot['kind']): RunTrigger {
  const earlier = db
    .prepare('SELECT spec_hash FROM runs WHERE namespace = ? AND name = ? ORDER BY created_at DESC LIMIT 1')
    .get(p.namespace, p.name) as { spec_hash: string } | undefined;
  if (earlier === undefined) return 'new';
  if (earlier.spec_hash !== p.specHash) return 'spec-change';
  // Only `gitjobs rerun` is a rerun; the source asking again for the same spec is its own request.
  return kind === 'git' ? 'commit' : 'manifest';
}
