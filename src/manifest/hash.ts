import { createHash } from 'node:crypto';
import { GITJOBS_ANNOTATION_PREFIX, type JobSpec } from '../api/types.js';
import { canonicalJson } from './messages.js';

/** Changing this annotation asks for a fresh run of an otherwise unchanged Job. */
export const RUN_ANNOTATION = `${GITJOBS_ANNOTATION_PREFIX}run`;

/**
 * Fields Kubernetes lets you change on a live Job (`ValidateJobSpecUpdate`
 * does not freeze them). Editing one updates the running Job in place; any
 * other change means a different Job, hence a new run.
 */
export const MUTABLE_SPEC_FIELDS = [
  'parallelism',
  'suspend',
  'activeDeadlineSeconds',
  'ttlSecondsAfterFinished',
  'backoffLimit',
  'maxFailedIndexes',
  'podReplacementPolicy',
] as const satisfies readonly (keyof JobSpec)[];

/**
 * Kubernetes lets an Indexed Job change completions together with parallelism
 * (completions == parallelism after the edit): an elastic Indexed Job. Its
 * completions are therefore left out of the hash of every Indexed Job, and the
 * sync refuses (replaces) a completions change that does not follow that rule.
 */
export function isElasticResize(spec: JobSpec): boolean {
  return spec.completionMode === 'Indexed' && spec.completions === spec.parallelism;
}

/**
 * Identity of a Job's immutable desired state. Taken over the defaulted spec
 * in canonical JSON, so formatting, key order, comments and defaults written
 * out make no difference. Taken before the selector and labels are generated.
 */
export function specHash(spec: JobSpec, annotations: Record<string, string>): string {
  const frozen: Partial<JobSpec> = { ...spec };
  for (const f of MUTABLE_SPEC_FIELDS) delete frozen[f];
  if (spec.completionMode === 'Indexed') delete frozen.completions;
  const run = Object.hasOwn(annotations, RUN_ANNOTATION) ? annotations[RUN_ANNOTATION] : null;
  return createHash('sha256')
    .update(canonicalJson({ spec: frozen, run }))
    .digest('hex')
    .slice(0, 16);
}
