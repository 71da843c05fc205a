// The pods a Job creates: template copy plus the controller's additions.
import {
  COMPLETION_INDEX_ENV,
  JOB_COMPLETION_INDEX,
  type Container,
  type Job,
  type Millis,
  type Pod,
  type PodSpec,
} from '../api/types.js';
import type { PodCreate } from './plan.js';

export { emptyJobStatus } from './status.js';

/** The API server's generateName suffix alphabet: no vowels, no look-alikes. */
export const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Generated names keep at most this much of the prefix, so the whole fits in 63. */
const MAX_GENERATED_PREFIX = 58;
const MAX_NAME_LENGTH = 253;

function generateNamePrefix(job: Job, index: number | undefined): string {
  if (index === undefined) {
    // `<job>-` is the prettier prefix, unless the dash itself would overflow a name.
    const prefix = job.name.length + 1 <= MAX_NAME_LENGTH ? `${job.name}-` : job.name;
    return prefix.slice(0, MAX_GENERATED_PREFIX);
  }
  // Indexed: keep `-<index>-` whole so the index stays readable; shorten the job name instead.
  const suffix = `-${index}-`;
  const prefix = job.name + suffix;
  if (prefix.length <= MAX_GENERATED_PREFIX) return prefix;
  return prefix.slice(0, MAX_GENERATED_PREFIX - suffix.length) + suffix;
}

/** `<job>-<5 chars>`, or `<job>-<index>-<5 chars>` for Indexed Jobs. */
export function generatePodName(job: Job, index: number | undefined, random5: string): string {
  return generateNamePrefix(job, index) + random5;
}

function copyContainer(c: Container): Container {
  const out: Container = { ...c, command: [...c.command], args: [...c.args], env: c.env.map((e) => ({ ...e })) };
  if (c.volumeMounts !== undefined) out.volumeMounts = c.volumeMounts.map((m) => ({ ...m }));
  if (c.resources !== undefined) {
    const r: NonNullable<Container['resources']> = {};
    if (c.resources.limits !== undefined) r.limits = { ...c.resources.limits };
    if (c.resources.requests !== undefined) r.requests = { ...c.resources.requests };
    out.resources = r;
  }
  return out;
}

function copySpec(spec: PodSpec): PodSpec {
  const out: PodSpec = {
    ...spec,
    containers: spec.containers.map(copyContainer),
    initContainers: spec.initContainers.map(copyContainer),
  };
  if (spec.volumes !== undefined) out.volumes = spec.volumes.map((v) => ({ ...v }));
  if (spec.nodeSelector !== undefined) out.nodeSelector = { ...spec.nodeSelector };
  return out;
}

/**
 * Kubernetes injects the index through a field reference to the pod's label;
 * pods here are processes with no API to resolve it, so the value is written
 * out. A container that already defines the variable keeps its own.
 */
function addIndexEnv(c: Container, index: number): void {
  if (c.env.some((e) => e.name === COMPLETION_INDEX_ENV)) return;
  c.env.push({ name: COMPLETION_INDEX_ENV, value: String(index) });
}

export function buildPod(job: Job, create: PodCreate, ids: { uid: string; name: string }, now: Millis): Pod {
  const template = job.spec.template;
  const labels = { ...template.metadata.labels };
  const annotations = { ...template.metadata.annotations };
  const spec = copySpec(template.spec);
  if (create.index !== undefined) {
    const ix = String(create.index);
    labels[JOB_COMPLETION_INDEX] = ix;
    annotations[JOB_COMPLETION_INDEX] = ix;
    // As Kubernetes does, the index hostname wins over the template's.
    spec.hostname = `${job.name}-${create.index}`;
    for (const c of spec.initContainers) addIndexEnv(c, create.index);
    for (const c of spec.containers) addIndexEnv(c, create.index);
  }
  Object.assign(annotations, create.annotations ?? {});
  return {
    uid: ids.uid,
    namespace: job.namespace,
    name: ids.name,
    labels,
    annotations,
    owner: { uid: job.uid, name: job.name },
    creationTimestamp: now,
    trackingFinalizer: true,
    spec,
    status: {
      phase: 'Pending',
      conditions: [],
      containerStatuses: spec.containers.map((c) => ({
        name: c.name,
        state: { waiting: { reason: spec.initContainers.length > 0 ? 'PodInitializing' : 'ContainerCreating' } },
        ready: false,
        restartCount: 0,
      })),
      initContainerStatuses: spec.initContainers.map((c) => ({
        name: c.name,
        state: { waiting: { reason: 'PodInitializing' } },
        ready: false,
        restartCount: 0,
      })),
    },
  };
}
