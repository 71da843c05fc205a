import type { Job, JobSpec } from '../api/types.js';
import { isElasticResize } from '../manifest/hash.js';
import { MUTABLE_SPEC_FIELDS, type ParsedJob } from '../manifest/index.js';

export { MUTABLE_SPEC_FIELDS };

export interface DesiredChange {
  create: ParsedJob[];
  /** Same spec hash, something mutable or the provenance differs. */
  update: { job: Job; parsed: ParsedJob }[];
  /** Immutable fields changed: the old run is deleted, the new one starts once it is gone. */
  replace: { job: Job; parsed: ParsedJob; changedFields: string[] }[];
  prune: Job[];
}

export interface DiffInput {
  desired: readonly ParsedJob[];
  existing: readonly Job[];
  /** Files that failed to parse: Jobs from them keep their last good spec. */
  brokenFiles: ReadonlySet<string>;
  /** True when this exact spec already ran and must not run again (TTL never resurrects). */
  alreadyRan: (p: ParsedJob) => boolean;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Pure: what must change in the store to match the source. */
export function diffDesired(input: DiffInput): DesiredChange {
  const out: DesiredChange = { create: [], update: [], replace: [], prune: [] };
  const existing = new Map(input.existing.map((j) => [key(j.namespace, j.name), j]));
  const seen = new Set<string>();
  for (const p of input.desired) {
    const k = key(p.namespace, p.name);
    seen.add(k);
    const job = existing.get(k);
    if (job === undefined) {
      if (!input.alreadyRan(p)) out.create.push(p);
      continue;
    }
    if (job.deletionTimestamp !== undefined) continue; // being deleted; its successor comes after
    if (job.specHash !== p.specHash || completionsChangedAlone(job, p)) {
      out.replace.push({ job, parsed: p, changedFields: changedSpecFields(job.spec, p.spec) });
    } else if (needsUpdate(job, p)) {
      out.update.push({ job, parsed: p });
    }
  }
  for (const [k, job] of existing) {
    if (seen.has(k) || job.deletionTimestamp !== undefined) continue;
    if (job.origin.path !== undefined && input.brokenFiles.has(job.origin.path)) continue;
    if (job.annotations['gitjobs.io/prune'] === 'false') continue;
    out.prune.push(job);
  }
  return out;
}

/**
 * An Indexed Job's completions may change only together with parallelism, to
 * the same value; any other change of them makes a new Job.
 */
function completionsChangedAlone(job: Job, p: ParsedJob): boolean {
  const applied = job.appliedSpec ?? job.spec;
  return applied.completions !== p.spec.completions && !isElasticResize(p.spec);
}

export type InPlaceField = (typeof MUTABLE_SPEC_FIELDS)[number] | 'completions';

/** The manifest's mutable fields that differ from what the source last applied. */
export function changedMutableFields(job: Job, p: ParsedJob): InPlaceField[] {
  const applied = job.appliedSpec ?? job.spec;
  const fields: InPlaceField[] = isElasticResize(p.spec) ? [...MUTABLE_SPEC_FIELDS, 'completions'] : [...MUTABLE_SPEC_FIELDS];
  return fields.filter((f) => JSON.stringify(applied[f]) !== JSON.stringify(p.spec[f]));
}

function needsUpdate(job: Job, p: ParsedJob): boolean {
  if (changedMutableFields(job, p).length > 0) return true;
  return (
    job.origin.path !== p.file ||
    job.origin.line !== p.line ||
    JSON.stringify(job.annotations) !== JSON.stringify(p.annotations)
  );
}

/** The top-level spec fields whose values differ, for the event that explains a replacement. */
export function changedSpecFields(a: JobSpec, b: JobSpec): string[] {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  const changed: string[] = [];
  for (const f of [...fields].sort()) {
    if (f === 'selector' || (MUTABLE_SPEC_FIELDS as readonly string[]).includes(f)) continue;
    if (f === 'completions' && isElasticResize(b)) continue;
    const av = f === 'template' ? stripGenerated(a.template) : (a as unknown as Record<string, unknown>)[f];
    const bv = f === 'template' ? stripGenerated(b.template) : (b as unknown as Record<string, unknown>)[f];
    if (JSON.stringify(av) !== JSON.stringify(bv)) changed.push(`spec.${f}`);
  }
  return changed;
}

const GENERATED = ['job-name', 'controller-uid', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/controller-uid'];

function stripGenerated(t: JobSpec['template']): unknown {
  const labels = Object.fromEntries(Object.entries(t.metadata.labels).filter(([k]) => !GENERATED.includes(k)));
  return { ...t, metadata: { ...t.metadata, labels } };
}
