import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Job,
  type JobSpec,
  type Labels,
} from '../api/types.js';
import { materializeJob, MUTABLE_SPEC_FIELDS } from '../manifest/index.js';

const GENERATED = [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL];

function withoutGenerated(labels: Labels, old: Job): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) {
    const generatedValue = k.endsWith('controller-uid') ? old.uid : old.name;
    if (GENERATED.includes(k) && v === generatedValue) continue;
    out[k] = v;
  }
  return out;
}

/**
 * A fresh run of the same desired state: a new uid, a selector and labels made
 * for it, the spec as it stands now (CLI changes to mutable fields included),
 * and the same origin, so the source sees it as its own.
 */
export function rerunOf(old: Job, uid: string, now: number): Job {
  const base: JobSpec = structuredClone(old.appliedSpec ?? old.spec);
  for (const f of MUTABLE_SPEC_FIELDS) (base as unknown as Record<string, unknown>)[f] = old.spec[f];
  base.template = structuredClone(old.spec.template);
  base.template.metadata.labels = withoutGenerated(base.template.metadata.labels, old);
  if (!old.spec.manualSelector) delete base.selector;
  const ownLabels = withoutGenerated(old.labels, old);
  // A Job without labels of its own took its template's: let it take them again.
  const copied = JSON.stringify(ownLabels) === JSON.stringify(base.template.metadata.labels);
  const { labels, spec } = materializeJob({ name: old.name, labels: copied ? {} : ownLabels, spec: base }, uid);
  const job: Job = {
    uid,
    namespace: old.namespace,
    name: old.name,
    labels,
    annotations: { ...old.annotations },
    creationTimestamp: now,
    generation: 1,
    spec,
    specHash: old.specHash,
    origin: { ...old.origin },
  };
  if (old.appliedSpec !== undefined) job.appliedSpec = old.appliedSpec;
  return job;
}
