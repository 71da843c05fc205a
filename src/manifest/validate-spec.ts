import type { JobSpec, LabelSelector } from '../api/types.js';
import { JOB_CONTROLLER_NAME } from '../api/types.js';
import { formatValue, invalid, nonNegative, notSupported, required, tooLong } from './messages.js';
import { dns1123Label, domainPrefixedPath } from '../api/names.js';
import { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';
import { NAME_LABELS, selectorIsEmpty, selectorMatches, UID_LABELS } from './selector.js';
import { validateAnnotations, validateLabels } from './validate-meta.js';
import { validatePodSpec } from './validate-pod.js';
import { validateRlimits } from './validate-rlimits.js';
import { validatePodFailurePolicy, validateSuccessPolicy } from './validate-policies.js';

const spec = (...names: string[]): FieldPath => FieldPath.of('spec', ...names);
const MAX_INDEXED_PARALLELISM = 100000;
const MAX_INDEXED_COMPLETIONS = 100000;
const MAX_PER_INDEX_PARALLELISM = 10000;
const MAX_MANAGED_BY = 63;
const RESTART_POLICIES = ['OnFailure', 'Never'];
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** `validateJob`: everything Kubernetes checks on create, on a defaulted spec. */
export function validateJobSpec(name: string, s: JobSpec, r: Reporter): void {
  const nonNegatives = [
    ['parallelism', s.parallelism],
    ['completions', s.completions],
    ['activeDeadlineSeconds', s.activeDeadlineSeconds],
    ['backoffLimit', s.backoffLimit],
    ['ttlSecondsAfterFinished', s.ttlSecondsAfterFinished],
    ['backoffLimitPerIndex', s.backoffLimitPerIndex],
    ['maxFailedIndexes', s.maxFailedIndexes],
  ] as const;
  for (const [field, v] of nonNegatives) if (v !== undefined && v < 0) r.error('FieldInvalid', spec(field), nonNegative(v));

  validateCompletionMode(name, s, r);
  validateRestartPolicy(s, r);
  validateSelector(name, s, r);
  validatePodReplacementPolicy(s, r);
  validateManagedBy(s, r);
  validatePodFailurePolicy(s, r);
  validateSuccessPolicy(s, r);
  validateLabels(s.template.metadata.labels, spec('template', 'metadata', 'labels'), r);
  validateAnnotations(s.template.metadata.annotations, spec('template', 'metadata', 'annotations'), r);
  validateRlimits(s.template.metadata.annotations, spec('template', 'metadata', 'annotations'), r);
  validatePodSpec(s.template.spec, spec('template', 'spec'), r);
}

/**
 * The rules of a live Job's spec that an edit of a mutable field can break
 * (completions of an Indexed Job, parallelism, podReplacementPolicy): the
 * same checks, with the same words, as on create.
 */
export function validateJobSpecEdit(name: string, s: JobSpec, r: Reporter): void {
  validateCompletionMode(name, s, r);
  validatePodReplacementPolicy(s, r);
}

function validateCompletionMode(name: string, s: JobSpec, r: Reporter): void {
  const mode: string = s.completionMode;
  if (!COMPLETION_MODES.includes(mode)) {
    r.error('FieldInvalid', spec('completionMode'), notSupported(mode, COMPLETION_MODES));
    return;
  }
  if (s.maxFailedIndexes !== undefined && s.backoffLimitPerIndex === undefined) {
    r.error('FieldRequired', spec('backoffLimitPerIndex'), required('when maxFailedIndexes is specified'));
  }
  if (mode !== 'Indexed') {
    if (s.backoffLimitPerIndex !== undefined) {
      r.error('FieldInvalid', spec('backoffLimitPerIndex'), invalid(s.backoffLimitPerIndex, 'requires indexed completion mode'));
    }
    if (s.maxFailedIndexes !== undefined) {
      r.error('FieldInvalid', spec('maxFailedIndexes'), invalid(s.maxFailedIndexes, 'requires indexed completion mode'));
    }
    return;
  }
  if (s.completions === undefined) {
    r.error('FieldRequired', spec('completions'), required('when completion mode is Indexed'));
  } else if (s.completions > 0) {
    // Pods of an Indexed Job are named and hostnamed `<job>-<index>`.
    const longest = `${name}-${s.completions - 1}`;
    if (name !== '' && dns1123Label(longest).length > 0) {
      r.error('FieldInvalid', FieldPath.of('metadata', 'name'), invalid(name, `will not able to create pod with invalid DNS label: ${longest}`));
    }
  }
  if (s.parallelism > MAX_INDEXED_PARALLELISM) {
    r.error(
      'FieldInvalid',
      spec('parallelism'),
      invalid(s.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`),
    );
  }
  const completions = s.completions ?? 0;
  if (s.maxFailedIndexes !== undefined) {
    if (s.maxFailedIndexes > completions) {
      r.error('FieldInvalid', spec('maxFailedIndexes'), invalid(s.maxFailedIndexes, 'must be less than or equal to completions'));
    }
    if (s.maxFailedIndexes > MAX_INDEXED_COMPLETIONS) {
      r.error('FieldInvalid', spec('maxFailedIndexes'), invalid(s.maxFailedIndexes, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS}`));
    }
  }
  if (completions > MAX_INDEXED_COMPLETIONS && s.backoffLimitPerIndex !== undefined) {
    const detail = `when completions are above ${MAX_INDEXED_COMPLETIONS} and used with backoff limit per index`;
    if (s.maxFailedIndexes === undefined) {
      r.error('FieldRequired', spec('maxFailedIndexes'), required(`must be specified when completions is above ${MAX_INDEXED_COMPLETIONS}`));
    } else if (s.maxFailedIndexes > MAX_PER_INDEX_PARALLELISM) {
      r.error('FieldInvalid', spec('maxFailedIndexes'), invalid(s.maxFailedIndexes, `must be less than or equal to ${MAX_PER_INDEX_PARALLELISM} ${detail}`));
    }
    if (s.parallelism > MAX_PER_INDEX_PARALLELISM) {
      r.error('FieldInvalid', spec('parallelism'), invalid(s.parallelism, `must be less than or equal to ${MAX_PER_INDEX_PARALLELISM} ${detail}`));
    }
  }
  if (completions > MAX_INDEXED_COMPLETIONS && s.parallelism > MAX_PER_INDEX_PARALLELISM) {
    r.warn(
      'FieldInvalid',
      FieldPath.of('spec'),
      'In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail',
    );
  }
}

function validateRestartPolicy(s: JobSpec, r: Reporter): void {
  const path = spec('template', 'spec', 'restartPolicy');
  const policy: string = s.template.spec.restartPolicy;
  if (policy === '' || policy === 'Always') {
    r.error(
      'FieldRequired',
      path,
      `${required('valid values: "OnFailure", "Never"')}; the pods of a Job must terminate, so Always is not allowed, and Always is what an unset restartPolicy defaults to`,
    );
  } else if (!RESTART_POLICIES.includes(policy)) {
    r.error('FieldInvalid', path, notSupported(policy, RESTART_POLICIES));
  } else if (s.podFailurePolicy !== undefined && policy !== 'Never') {
    r.error('FieldInvalid', path, invalid(policy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
}

function validateSelector(name: string, s: JobSpec, r: Reporter): void {
  const labels = s.template.metadata.labels;
  const labelsPath = spec('template', 'metadata', 'labels');
  if (s.manualSelector) {
    if (s.selector === undefined) {
      r.error('FieldRequired', spec('selector'), required());
      return;
    }
    if (!validateLabelSelector(s.selector, r)) return;
    if (selectorIsEmpty(s.selector) || !selectorMatches(s.selector, labels)) {
      r.error('FieldInvalid', labelsPath, invalid(labels, '`selector` does not match template `labels`'));
    }
    return;
  }
  // Without manualSelector the API server generates the selector and these
  // labels from the uid, which does not exist until the Job is created.
  if (s.selector !== undefined) {
    r.error(
      'FieldInvalid',
      spec('selector'),
      invalid(s.selector, '`selector` not auto-generated: the selector is generated from the Job\'s uid unless spec.manualSelector is true'),
    );
  }
  for (const key of UID_LABELS) {
    if (Object.hasOwn(labels, key)) {
      r.error('FieldInvalid', labelsPath.key(key), invalid(labels, "must be the Job's uid, which is generated; remove this label"));
    }
  }
  for (const key of NAME_LABELS) {
    if (Object.hasOwn(labels, key) && labels[key] !== name) r.error('FieldInvalid', labelsPath.key(key), invalid(labels, `must be '${name}'`));
  }
}

function validateLabelSelector(sel: LabelSelector, r: Reporter): boolean {
  let ok = true;
  validateLabels(sel.matchLabels ?? {}, spec('selector', 'matchLabels'), r);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = spec('selector', 'matchExpressions').index(i);
    const op: string = e.operator ?? '';
    const values = e.values ?? [];
    if (!SELECTOR_OPERATORS.includes(op)) {
      r.error('FieldInvalid', p.child('operator'), invalid(op, 'not a valid selector operator'));
      ok = false;
    } else if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      r.error('FieldRequired', p.child('values'), required("must be specified when `operator` is 'In' or 'NotIn'"));
      ok = false;
    } else if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      r.error('FieldForbidden', p.child('values'), "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      ok = false;
    }
    if (e.key === undefined || e.key === '') {
      r.error('FieldRequired', p.child('key'), required());
      ok = false;
    }
  });
  return ok;
}

function validatePodReplacementPolicy(s: JobSpec, r: Reporter): void {
  const policy: string = s.podReplacementPolicy;
  const allowed = s.podFailurePolicy !== undefined ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
  if (!allowed.includes(policy)) r.error('FieldInvalid', spec('podReplacementPolicy'), notSupported(policy, allowed));
}

function validateManagedBy(s: JobSpec, r: Reporter): void {
  const managedBy = s.managedBy;
  if (managedBy === undefined) return;
  const path = spec('managedBy');
  if (managedBy === '') {
    r.error('FieldRequired', path, required());
    return;
  }
  if (managedBy.length > MAX_MANAGED_BY) {
    r.error('FieldInvalid', path, tooLong(MAX_MANAGED_BY));
    return;
  }
  const errs = domainPrefixedPath(managedBy);
  for (const e of errs) r.error('FieldInvalid', path, invalid(e.value, e.message));
  if (errs.length === 0 && managedBy !== JOB_CONTROLLER_NAME) {
    r.warn(
      'FieldInvalid',
      path,
      `${formatValue(managedBy)}: the Job controller leaves Jobs managed by another controller alone, so gitjobs will never run this Job`,
    );
  }
}
