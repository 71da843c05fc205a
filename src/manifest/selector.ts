import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type JobSpec,
  type LabelSelector,
  type Labels,
} from '../api/types.js';

export const UID_LABELS = [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL] as const;
export const NAME_LABELS = [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL] as const;

/** One matcher for label selectors: the API's (`kubectl get -l` uses it too). */
export { labelSelectorMatches as selectorMatches } from '../api/selector.js';

export function selectorIsEmpty(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

export interface MaterializedJob {
  labels: Labels;
  spec: JobSpec;
}

/**
 * What the API server does on create (`generateSelector` and the label
 * defaulting of `SetDefaults_Job`): the pods get `job-name` and
 * `controller-uid` labels, old and `batch.kubernetes.io/` spellings, the
 * selector picks the uid label, and a Job without labels of its own takes
 * its template's.
 */
export function materializeJob(job: { name: string; labels: Labels; spec: JobSpec }, uid: string): MaterializedJob {
  const templateLabels: Labels = { ...job.spec.template.metadata.labels };
  let selector = job.spec.selector;
  if (!job.spec.manualSelector) {
    const generated: Labels = {
      [LEGACY_CONTROLLER_UID_LABEL]: uid,
      [CONTROLLER_UID_LABEL]: uid,
      [LEGACY_JOB_NAME_LABEL]: job.name,
      [JOB_NAME_LABEL]: job.name,
    };
    for (const [k, v] of Object.entries(generated)) if (!Object.hasOwn(templateLabels, k)) templateLabels[k] = v;
    const matchLabels = { ...(selector?.matchLabels ?? {}) };
    if (!Object.hasOwn(matchLabels, CONTROLLER_UID_LABEL)) matchLabels[CONTROLLER_UID_LABEL] = uid;
    selector = { ...(selector ?? {}), matchLabels };
  }
  const spec: JobSpec = {
    ...job.spec,
    template: { ...job.spec.template, metadata: { ...job.spec.template.metadata, labels: templateLabels } },
  };
  if (selector !== undefined) spec.selector = selector;
  const labels = Object.keys(job.labels).length === 0 ? { ...templateLabels } : { ...job.labels };
  return { labels, spec };
}

/**
 * The inverse of materializeJob for what `get job -o yaml` printed: a selector
 * and labels the API server generated from the Job's uid are dropped when they
 * agree with each other (and with metadata.uid, when given), so the output can
 * be committed or applied as is, as kubectl apply accepts kubectl get's output.
 * Anything that disagrees is left in place for validation to report.
 */
export function dropGeneratedSelector(
  job: { name: string; uid: unknown; labels: Labels; spec: JobSpec },
): { labels: Labels; spec: JobSpec } {
  const { spec } = job;
  const matchLabels = spec.selector?.matchLabels ?? {};
  const uid = typeof job.uid === 'string' && job.uid !== '' ? job.uid : matchLabels[CONTROLLER_UID_LABEL];
  const generated =
    !spec.manualSelector &&
    uid !== undefined &&
    (spec.selector?.matchExpressions ?? []).length === 0 &&
    Object.keys(matchLabels).length === 1 &&
    matchLabels[CONTROLLER_UID_LABEL] === uid;
  if (!generated) return { labels: job.labels, spec };
  const strip = (labels: Labels): Labels => {
    const out = { ...labels };
    for (const k of UID_LABELS) if (out[k] === uid) delete out[k];
    for (const k of NAME_LABELS) if (out[k] === job.name) delete out[k];
    return out;
  };
  const { selector: _generated, ...rest } = spec;
  return {
    labels: strip(job.labels),
    spec: { ...rest, template: { ...spec.template, metadata: { ...spec.template.metadata, labels: strip(spec.template.metadata.labels) } } },
  };
}
