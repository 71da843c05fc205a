// Test builders for Jobs, pods and Job statuses, shaped like what the store
// holds: a Job with every default applied and its generated labels, pods as
// the executor reports them. Times are fixed offsets from T0 so tests never
// read the clock.
import {
  CONTROLLER_UID_LABEL,
  JOB_COMPLETION_INDEX,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Container,
  type ContainerStatus,
  type Job,
  type JobCondition,
  type JobConditionType,
  type JobSpec,
  type JobStatus,
  type Labels,
  type Millis,
  type Pod,
  type PodCondition,
  type PodPhase,
  type PodSpec,
  type PodStatus,
} from '../../src/api/types.js';

/** A fixed epoch for tests: 2025-01-01T00:00:00Z. */
export const T0: Millis = Date.UTC(2025, 0, 1);

/** T0 plus some seconds. */
export function at(seconds: number): Millis {
  return T0 + seconds * 1000;
}

export type JobOverrides = Partial<Omit<Job, 'spec'>> & {
  spec?: Partial<Omit<JobSpec, 'template'>> & { template?: { spec?: Partial<PodSpec> } };
};

export function job(overrides: JobOverrides = {}): Job {
  const name = overrides.name ?? 'pi';
  const uid = overrides.uid ?? `uid-${name}`;
  const generated: Labels = {
    [CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: name,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: name,
  };
  const { template: templateOverrides, ...specOverrides } = overrides.spec ?? {};
  const podSpec: PodSpec = {
    containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'true'], args: [], env: [] }],
    initContainers: [],
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 30,
    ...templateOverrides?.spec,
  };
  const spec: JobSpec = {
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    completionMode: 'NonIndexed',
    suspend: false,
    manualSelector: false,
    selector: { matchLabels: { [CONTROLLER_UID_LABEL]: uid } },
    template: { metadata: { labels: generated, annotations: {} }, spec: podSpec },
    podReplacementPolicy: specOverrides.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed',
    ...specOverrides,
  };
  const { spec: _ignored, ...meta } = overrides;
  return {
    uid,
    namespace: 'default',
    name,
    labels: { ...generated },
    annotations: {},
    creationTimestamp: T0,
    generation: 1,
    specHash: 'hash',
    origin: { kind: 'dir', source: '/jobs', path: `${name}.yaml` },
    ...meta,
    spec,
  };
}

export function indexedJob(completions: number, parallelism: number, overrides: JobOverrides = {}): Job {
  return job({ ...overrides, spec: { completionMode: 'Indexed', completions, parallelism, ...overrides.spec } });
}

export function status(overrides: Partial<JobStatus> = {}): JobStatus {
  return { conditions: [], active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, completedIndexes: '', ...overrides };
}

export function condition(type: JobConditionType, reason: string, message: string, time: Millis, state: 'True' | 'False' = 'True'): JobCondition {
  return { type, status: state, reason, message, lastProbeTime: time, lastTransitionTime: time };
}

export interface PodOptions {
  job?: Job;
  uid?: string;
  name?: string;
  phase?: PodPhase;
  index?: number;
  /** The tracking finalizer; true (outcome not yet counted) unless given. */
  finalizer?: boolean;
  creationTimestamp?: Millis;
  deletionTimestamp?: Millis;
  deletionGracePeriodSeconds?: number;
  /** For terminal pods: when the container ended. */
  finishedAt?: Millis;
  exitCode?: number;
  /** For Running pods; true unless given. */
  ready?: boolean;
  restartCount?: number;
  annotations?: Labels;
  conditions?: PodCondition[];
}

let serial = 0;

/** A pod of `job()` (or `options.job`) in the given phase, Running by default. */
export function pod(options: PodOptions = {}): Pod {
  const owner = options.job ?? job();
  serial += 1;
  const uid = options.uid ?? `pod-${serial}`;
  const phase = options.phase ?? 'Running';
  const labels: Labels = { ...owner.spec.template.metadata.labels };
  const annotations: Labels = { ...owner.spec.template.metadata.annotations, ...options.annotations };
  if (options.index !== undefined) {
    labels[JOB_COMPLETION_INDEX] = String(options.index);
    annotations[JOB_COMPLETION_INDEX] = String(options.index);
  }
  const created = options.creationTimestamp ?? T0;
  const restartCount = options.restartCount ?? 0;
  const container = owner.spec.template.spec.containers[0]?.name ?? 'main';
  let cs: ContainerStatus;
  if (phase === 'Succeeded' || phase === 'Failed') {
    const exitCode = options.exitCode ?? (phase === 'Succeeded' ? 0 : 1);
    cs = {
      name: container,
      state: {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: created,
          finishedAt: options.finishedAt ?? created,
        },
      },
      ready: false,
      restartCount,
    };
  } else if (phase === 'Running') {
    cs = { name: container, state: { running: { startedAt: created } }, ready: options.ready ?? true, restartCount };
  } else {
    cs = { name: container, state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount };
  }
  const p: Pod = {
    uid,
    namespace: owner.namespace,
    name: options.name ?? (options.index === undefined ? `${owner.name}-${uid}` : `${owner.name}-${options.index}-${uid}`),
    labels,
    annotations,
    owner: { uid: owner.uid, name: owner.name },
    creationTimestamp: created,
    trackingFinalizer: options.finalizer ?? true,
    spec: structuredClone(owner.spec.template.spec),
    status: {
      phase,
      startTime: created,
      conditions: options.conditions ?? [],
      initContainerStatuses: [],
      containerStatuses: [cs],
    },
  };
  if (options.deletionTimestamp !== undefined) {
    p.deletionTimestamp = options.deletionTimestamp;
    p.deletionGracePeriodSeconds = options.deletionGracePeriodSeconds ?? owner.spec.template.spec.terminationGracePeriodSeconds;
  }
  return p;
}

function many(n: number, options: PodOptions): Pod[] {
  return Array.from({ length: n }, () => pod(options));
}

export function running(n: number, options: PodOptions = {}): Pod[] {
  return many(n, { ...options, phase: 'Running' });
}

export function pending(n: number, options: PodOptions = {}): Pod[] {
  return many(n, { ...options, phase: 'Pending' });
}

export function succeeded(n: number, finishedAt: Millis = T0, options: PodOptions = {}): Pod[] {
  return many(n, { ...options, phase: 'Succeeded', finishedAt });
}

export function failed(n: number, finishedAt: Millis = T0, options: PodOptions = {}): Pod[] {
  return many(n, { ...options, phase: 'Failed', finishedAt });
}

/** Running pods that were asked to stop at `deletedAt` and have not ended yet. */
export function terminating(n: number, deletedAt: Millis = T0, options: PodOptions = {}): Pod[] {
  return many(n, { ...options, phase: 'Running', deletionTimestamp: deletedAt });
}

/** A container as the manifest parser leaves it, running `true`. */
export function container(name: string, extra: Partial<Container> = {}): Container {
  return { name, command: ['true'], args: [], env: [], ...extra };
}

/** A pod of no Job, as the node agent sees one: its containers, Pending with an empty status unless given. */
export function barePod(
  o: { uid?: string; namespace?: string; name?: string; containers?: Container[]; initContainers?: Container[]; restartPolicy?: 'Never' | 'OnFailure'; status?: PodStatus } = {},
): Pod {
  return {
    uid: o.uid ?? 'u1',
    namespace: o.namespace ?? 'default',
    name: o.name ?? 'p',
    labels: {},
    annotations: {},
    creationTimestamp: 0,
    trackingFinalizer: true,
    spec: { containers: o.containers ?? [container('main')], initContainers: o.initContainers ?? [], restartPolicy: o.restartPolicy ?? 'Never', terminationGracePeriodSeconds: 30 },
    status: o.status ?? { phase: 'Pending', conditions: [], initContainerStatuses: [], containerStatuses: [] },
  };
}
