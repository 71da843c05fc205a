import type {
  Container,
  EnvFromSource,
  EnvVar,
  JobSpec,
  LabelSelector,
  PodFailurePolicy,
  PodSpec,
  RestartPolicy,
  SuccessPolicy,
  Volume,
} from '../api/types.js';

// Input here has passed the field table, so every present field has the right
// JSON type; enum values are still unchecked and are validated afterwards,
// exactly as Kubernetes defaults an object before validating it.

type Raw = Record<string, unknown>;

const BACKOFF_LIMIT_DEFAULT = 6;
const BACKOFF_LIMIT_PER_INDEX_DEFAULT = 2147483647;
const TERMINATION_GRACE_PERIOD_DEFAULT = 30;
const PARALLELISM_DEFAULT = 1;

/** backoffLimit when unwritten: unlimited per-index Jobs count failures per index instead. */
export function defaultBackoffLimit(backoffLimitPerIndex: number | undefined): number {
  return backoffLimitPerIndex === undefined ? BACKOFF_LIMIT_DEFAULT : BACKOFF_LIMIT_PER_INDEX_DEFAULT;
}

/** podReplacementPolicy when unwritten: a podFailurePolicy needs to see pods fail before replacing them. */
export function defaultPodReplacementPolicy(podFailurePolicy: unknown): JobSpec['podReplacementPolicy'] {
  return podFailurePolicy === undefined ? 'TerminatingOrFailed' : 'Failed';
}

/**
 * The value a mutable field takes when it is removed (a merge patch's null):
 * `SetDefaults_Job` for that one field, given the rest of the spec.
 */
export function defaultMutableField(field: string, spec: JobSpec): unknown {
  switch (field) {
    case 'parallelism':
      return PARALLELISM_DEFAULT;
    case 'backoffLimit':
      return defaultBackoffLimit(spec.backoffLimitPerIndex);
    case 'suspend':
      return false;
    case 'podReplacementPolicy':
      return defaultPodReplacementPolicy(spec.podFailurePolicy);
    default:
      return undefined;
  }
}

function obj(v: unknown): Raw {
  return (v ?? {}) as Raw;
}
function opt<T>(v: unknown): T | undefined {
  return v as T | undefined;
}
/** Drops keys left undefined, so that stored specs and hashes never carry them. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** `SetDefaults_Job` plus the pod-template defaults gitjobs relies on. */
export function defaultJobSpec(rawSpec: unknown): JobSpec {
  const s = obj(rawSpec);
  let parallelism = opt<number>(s.parallelism);
  let completions = opt<number>(s.completions);
  if (completions === undefined && parallelism === undefined) {
    completions = 1;
    parallelism = PARALLELISM_DEFAULT;
  }
  parallelism ??= PARALLELISM_DEFAULT;
  const backoffLimitPerIndex = opt<number>(s.backoffLimitPerIndex);
  const podFailurePolicy = defaultPodFailurePolicy(s.podFailurePolicy);
  const template = obj(s.template);
  const meta = obj(template.metadata);
  return defined<JobSpec>({
    parallelism,
    completions,
    activeDeadlineSeconds: opt(s.activeDeadlineSeconds),
    backoffLimit: opt<number>(s.backoffLimit) ?? defaultBackoffLimit(backoffLimitPerIndex),
    backoffLimitPerIndex,
    maxFailedIndexes: opt(s.maxFailedIndexes),
    completionMode: opt(s.completionMode) ?? 'NonIndexed',
    suspend: opt(s.suspend) ?? false,
    manualSelector: opt(s.manualSelector) ?? false,
    selector: opt<LabelSelector>(s.selector),
    template: {
      metadata: { labels: { ...obj(meta.labels) } as Record<string, string>, annotations: { ...obj(meta.annotations) } as Record<string, string> },
      spec: defaultPodSpec(template.spec),
    },
    ttlSecondsAfterFinished: opt(s.ttlSecondsAfterFinished),
    podReplacementPolicy: opt(s.podReplacementPolicy) ?? defaultPodReplacementPolicy(podFailurePolicy),
    podFailurePolicy,
    successPolicy: opt<SuccessPolicy>(s.successPolicy),
    managedBy: opt(s.managedBy),
  });
}

function defaultPodFailurePolicy(raw: unknown): PodFailurePolicy | undefined {
  if (raw === undefined) return undefined;
  const rules = (opt<Raw[]>(obj(raw).rules) ?? []).map((rule) =>
    defined({
      ...(rule as unknown as PodFailurePolicy['rules'][number]),
      onPodConditions: opt<Raw[]>(rule.onPodConditions)?.map((c) => ({
        type: (c.type ?? '') as string,
        status: (c.status === undefined || c.status === '' ? 'True' : c.status) as 'True',
      })),
    }),
  );
  return { rules };
}

function defaultPodSpec(raw: unknown): PodSpec {
  const p = obj(raw);
  return defined<PodSpec>({
    containers: (opt<Raw[]>(p.containers) ?? []).map(defaultContainer),
    initContainers: (opt<Raw[]>(p.initContainers) ?? []).map(defaultContainer),
    // Left as written: absent becomes Always on a cluster, which Jobs refuse.
    restartPolicy: (p.restartPolicy ?? '') as RestartPolicy,
    terminationGracePeriodSeconds: opt<number>(p.terminationGracePeriodSeconds) ?? TERMINATION_GRACE_PERIOD_DEFAULT,
    activeDeadlineSeconds: opt(p.activeDeadlineSeconds),
    hostname: opt(p.hostname),
    subdomain: opt(p.subdomain),
    volumes: opt<Volume[]>(p.volumes),
    serviceAccountName: opt(p.serviceAccountName),
    nodeSelector: opt(p.nodeSelector),
  });
}

function defaultContainer(raw: Raw): Container {
  return defined<Container>({
    name: (raw.name ?? '') as string,
    image: opt(raw.image),
    command: opt<string[]>(raw.command) ?? [],
    args: opt<string[]>(raw.args) ?? [],
    env: (opt<Raw[]>(raw.env) ?? []).map((e) => defined<EnvVar>({ name: (e.name ?? '') as string, value: opt(e.value), valueFrom: opt(e.valueFrom) })),
    envFrom: opt<EnvFromSource[]>(raw.envFrom),
    workingDir: opt(raw.workingDir),
    resources: nonEmptyResources(raw.resources),
    volumeMounts: opt(raw.volumeMounts),
    restartPolicy: opt(raw.restartPolicy),
  });
}

/**
 * ResourceRequirements is a struct, not a pointer, in the API: `resources: {}`
 * (which `get -o yaml` prints) and no resources are the same request, so they hash the same.
 */
function nonEmptyResources(v: unknown): Container['resources'] {
  if (v === undefined || v === null) return undefined;
  const r = v as Raw;
  const empty = Object.values(r).every((x) => x === undefined || x === null || (typeof x === 'object' && Object.keys(x).length === 0));
  return empty ? undefined : (r as Container['resources']);
}
