// Shapes that mirror batch/v1 and core/v1, as gitjobs holds them internally.
// Specs keep Kubernetes' field names so that printing them back is a copy; times
// are epoch milliseconds so that the pure core can do arithmetic on them without
// parsing. Only the output layer turns them into RFC 3339 strings.

export type Millis = number;

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface EnvVarSource {
  fieldRef?: { fieldPath: string; apiVersion?: string };
  secretKeyRef?: { name: string; key: string; optional?: boolean };
  configMapKeyRef?: { name: string; key: string; optional?: boolean };
  resourceFieldRef?: { resource: string; containerName?: string; divisor?: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

/** `envFrom`: every key of a Secret (or ConfigMap) as a variable, `prefix` put before each name. */
export interface EnvFromSource {
  prefix?: string;
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
}

export interface ResourceRequirements {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface Container {
  name: string;
  /** Recorded and shown, never pulled: pods are host processes. */
  image?: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  envFrom?: EnvFromSource[];
  workingDir?: string;
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  /** Only on init containers: `Always` makes it a sidecar. */
  restartPolicy?: 'Always';
}

export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
}

export type RestartPolicy = 'Never' | 'OnFailure';

export interface PodSpec {
  containers: Container[];
  initContainers: Container[];
  restartPolicy: RestartPolicy;
  terminationGracePeriodSeconds: number;
  activeDeadlineSeconds?: number;
  hostname?: string;
  subdomain?: string;
  volumes?: Volume[];
  serviceAccountName?: string;
  nodeSelector?: Labels;
}

export interface PodTemplateSpec {
  metadata: { labels: Labels; annotations: Labels };
  spec: PodSpec;
}

export type CompletionMode = 'NonIndexed' | 'Indexed';
export type PodReplacementPolicy = 'TerminatingOrFailed' | 'Failed';
export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailurePolicyRule {
  action: PodFailurePolicyAction;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status: 'True' | 'False' | 'Unknown' }[];
}

export interface PodFailurePolicy {
  rules: PodFailurePolicyRule[];
}

export interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

export interface SuccessPolicy {
  rules: SuccessPolicyRule[];
}

/** A JobSpec with every Kubernetes default applied. */
export interface JobSpec {
  parallelism: number;
  /** undefined: a work-queue Job (done when one pod succeeded and all ended). */
  completions?: number;
  activeDeadlineSeconds?: number;
  backoffLimit: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  completionMode: CompletionMode;
  suspend: boolean;
  manualSelector: boolean;
  /** Generated from the uid unless manualSelector; always set on a stored Job. */
  selector?: LabelSelector;
  template: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  podReplacementPolicy: PodReplacementPolicy;
  podFailurePolicy?: PodFailurePolicy;
  successPolicy?: SuccessPolicy;
  managedBy?: string;
}

export type SourceKind = 'dir' | 'git' | 'apply';

/** The commit a Job's manifest was read from. */
export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  subject: string;
  /** Author time, epoch ms. */
  time: number;
}

/** Where a Job's desired state came from. */
export interface JobOrigin {
  kind: SourceKind;
  /** Source name: the watched folder, the repository URL, or `kubectl-apply`. */
  source: string;
  /** Manifest path relative to the source root, if any. */
  path?: string;
  line?: number;
  revision?: string;
  commit?: CommitInfo;
}

/** A Job as stored: desired state plus identity. Status lives apart (one writer each). */
export interface Job {
  uid: string;
  namespace: string;
  name: string;
  labels: Labels;
  annotations: Labels;
  creationTimestamp: Millis;
  /** Set when the Job is being deleted; pods are terminated, then the Job goes. */
  deletionTimestamp?: Millis;
  generation: number;
  spec: JobSpec;
  /** Hash of the fields Kubernetes does not let you change on a live Job. */
  specHash: string;
  origin: JobOrigin;
  /**
   * The spec as the source last applied it (before CLI changes). The sync
   * compares the manifest with this, not with the live spec, so a field changed
   * with `gitjobs scale` or `suspend` stays until the manifest changes it.
   */
  appliedSpec?: JobSpec;
  /** The CronJob that made this Job (its controller owner reference). */
  owner?: JobOwner;
}

export interface JobOwner {
  kind: 'CronJob';
  name: string;
  uid: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

export interface JobCondition {
  type: JobConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastProbeTime: Millis;
  lastTransitionTime: Millis;
}

export interface JobStatus {
  conditions: JobCondition[];
  startTime?: Millis;
  completionTime?: Millis;
  active: number;
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  /** Indexed Jobs only, in the interval form `1,3-5`. */
  completedIndexes: string;
  /** Only with backoffLimitPerIndex; `''` when none failed. */
  failedIndexes?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt?: Millis;
  finishedAt: Millis;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: Millis };
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  started?: boolean;
  image?: string;
}

export interface PodCondition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime: Millis;
}

export interface PodStatus {
  phase: PodPhase;
  reason?: string;
  message?: string;
  startTime?: Millis;
  conditions: PodCondition[];
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
}

export interface Pod {
  uid: string;
  namespace: string;
  name: string;
  labels: Labels;
  annotations: Labels;
  /** The controlling Job, if any (orphans have none). */
  owner?: { uid: string; name: string };
  creationTimestamp: Millis;
  deletionTimestamp?: Millis;
  deletionGracePeriodSeconds?: number;
  /**
   * The role of `batch.kubernetes.io/job-tracking`: true until the pod's outcome
   * has been added to its Job's counters (or deliberately dropped, as on suspend).
   */
  trackingFinalizer: boolean;
  spec: PodSpec;
  status: PodStatus;
}

export type EventType = 'Normal' | 'Warning';

export interface ObjectReference {
  kind: 'Job' | 'Pod' | 'Source' | 'CronJob';
  namespace: string;
  name: string;
  uid?: string;
}

export interface KubeEvent {
  involvedObject: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  /** The reporting component, e.g. `job-controller`. */
  source: string;
  firstTimestamp: Millis;
  lastTimestamp: Millis;
  count: number;
}

// Well-known label and annotation keys (batch/v1 types.go).
export const LABEL_PREFIX = 'batch.kubernetes.io/';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
export const EVENT_SOURCE_JOB_CONTROLLER = 'job-controller';
export const EVENT_SOURCE_TTL_CONTROLLER = 'ttl-after-finished-controller';
export const DEFAULT_NAMESPACE = 'default';
/** Our own annotations live under this prefix; never invented spec fields. */
export const GITJOBS_ANNOTATION_PREFIX = 'gitjobs.io/';
