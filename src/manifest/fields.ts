// Which fields of batch/v1 Job and core/v1 PodTemplateSpec gitjobs accepts.
// One table, so that the checker and the documentation cannot drift apart.
//
//   supported  interpreted by gitjobs with Kubernetes semantics
//   recorded   accepted and kept in the stored manifest, but without effect on
//              local processes (scheduling, images, ports, ...)
//   ignored    filled in by the API server on a real cluster; dropped
//   refused    exists in Kubernetes but cannot work for local processes

export type Support = 'supported' | 'recorded' | 'ignored' | 'refused';

export type FieldType =
  | { t: 'string' }
  | { t: 'int32' }
  | { t: 'int64' }
  | { t: 'bool' }
  /** Resource quantities: `500m`, `1Gi` or a bare number. */
  | { t: 'quantity' }
  | { t: 'object'; schema: ObjectSchema }
  | { t: 'array'; of: FieldType }
  | { t: 'map'; of: FieldType }
  /** Not looked into: recorded as written. */
  | { t: 'any' };

export interface FieldRule {
  type: FieldType;
  support: Support;
  /** The default Kubernetes applies, for the documentation. */
  default?: string;
  /** Why a field is refused, or what recording means for it. */
  note?: string;
  /** Refused only for these values (e.g. `privileged: true`); other values are recorded. */
  refuseWhen?: (value: unknown) => boolean;
}

export interface ObjectSchema {
  /** The Kubernetes type name, for messages and documentation. */
  name: string;
  fields: ReadonlyMap<string, FieldRule>;
}

const str: FieldType = { t: 'string' };
const int32: FieldType = { t: 'int32' };
const int64: FieldType = { t: 'int64' };
const bool: FieldType = { t: 'bool' };
const any: FieldType = { t: 'any' };
const strings: FieldType = { t: 'array', of: str };
const stringMap: FieldType = { t: 'map', of: str };
const obj = (schema: ObjectSchema): FieldType => ({ t: 'object', schema });
const list = (schema: ObjectSchema): FieldType => ({ t: 'array', of: obj(schema) });

function schema(name: string, fields: Record<string, FieldRule>): ObjectSchema {
  return { name, fields: new Map(Object.entries(fields)) };
}
const supported = (type: FieldType, def?: string): FieldRule => (def === undefined ? { type, support: 'supported' } : { type, support: 'supported', default: def });
/** Supported, with how it maps onto a host process. */
const supportedAs = (type: FieldType, note: string): FieldRule => ({ type, support: 'supported', note });
const recorded = (type: FieldType = any, note?: string): FieldRule => (note === undefined ? { type, support: 'recorded' } : { type, support: 'recorded', note });
const ignored = (type: FieldType = any): FieldRule => ({ type, support: 'ignored', note: 'set by the API server' });
const refused = (note: string, type: FieldType = any): FieldRule => ({ type, support: 'refused', note });
const refusedWhen = (type: FieldType, note: string, refuseWhen: (v: unknown) => boolean): FieldRule => ({
  type,
  support: 'recorded',
  note,
  refuseWhen,
});
const isTrue = (v: unknown): boolean => v === true;
const isNonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

const NO_CONFIG_OBJECTS = 'gitjobs has no ConfigMap objects to read from';
const NO_PROBES = 'gitjobs does not run probes; a started container counts as ready';
const HOST_NAMESPACES = 'pods are unprivileged host processes; host namespaces cannot be granted to them';

const labelSelectorRequirement = schema('LabelSelectorRequirement', {
  key: supported(str),
  operator: supported(str),
  values: supported(strings),
});
export const labelSelectorSchema = schema('LabelSelector', {
  matchLabels: supported(stringMap),
  matchExpressions: supported(list(labelSelectorRequirement)),
});

const systemMeta = {
  uid: ignored(str),
  resourceVersion: ignored(str),
  generation: ignored(int64),
  creationTimestamp: ignored(),
  deletionTimestamp: ignored(),
  deletionGracePeriodSeconds: ignored(int64),
  selfLink: ignored(str),
  managedFields: ignored(),
};

const jobMeta = schema('ObjectMeta', {
  name: supported(str),
  namespace: supported(str, 'default'),
  labels: supported(stringMap),
  annotations: supported(stringMap),
  generateName: refused('a manifest in a repository needs a stable name; set metadata.name', str),
  ownerReferences: refused('gitjobs has no garbage collector for owner references'),
  finalizers: refused('nothing in gitjobs would ever remove the finalizers, so the Job could not be deleted'),
  ...systemMeta,
});

const templateMeta = schema('ObjectMeta', {
  labels: supported(stringMap),
  annotations: supported(stringMap),
  name: recorded(str),
  namespace: ignored(str),
  generateName: ignored(str),
  ownerReferences: ignored(),
  finalizers: ignored(),
  ...systemMeta,
});

const keySelector = schema('KeySelector', { name: supported(str), key: supported(str), optional: supported(bool) });
const envVarSource = schema('EnvVarSource', {
  fieldRef: supportedAs(
    obj(schema('ObjectFieldSelector', { fieldPath: supported(str), apiVersion: supported(str, 'v1') })),
    "the node is this machine: spec.nodeName is its host name, status.podIP and status.hostIP are 127.0.0.1",
  ),
  resourceFieldRef: supportedAs(
    obj(schema('ResourceFieldSelector', { resource: supported(str), containerName: supported(str), divisor: supported({ t: 'quantity' }) })),
    "the container's limit or request; an unset limit is this machine's CPUs, memory or disk",
  ),
  configMapKeyRef: supportedAs(obj(keySelector), `only with optional: true, and the variable is left out: ${NO_CONFIG_OBJECTS}`),
  secretKeyRef: supportedAs(obj(keySelector), 'read when the container starts from the file <secrets folder>/<namespace>/<name>/<key>'),
  fileKeyRef: refused('file-based environment variables need a volume of the kubelet'),
});
const envVar = schema('EnvVar', { name: supported(str), value: supported(str), valueFrom: supported(obj(envVarSource)) });
const envObjectRef = (name: string): ObjectSchema => schema(name, { name: supported(str), optional: supported(bool) });
const envFromSource = schema('EnvFromSource', {
  prefix: supported(str),
  secretRef: supportedAs(obj(envObjectRef('SecretEnvSource')), 'every file of <secrets folder>/<namespace>/<name>/, read when the container starts'),
  configMapRef: supportedAs(obj(envObjectRef('ConfigMapEnvSource')), `only with optional: true, and nothing is added: ${NO_CONFIG_OBJECTS}`),
});

const resources = schema('ResourceRequirements', {
  limits: supported({ t: 'map', of: { t: 'quantity' } }),
  requests: supported({ t: 'map', of: { t: 'quantity' } }),
  claims: refused('dynamic resource allocation needs a cluster'),
});

const volumeMount = schema('VolumeMount', {
  name: supported(str),
  mountPath: supportedAs(str, 'nothing is mounted for a host process: the folder is in $GITJOBS_VOLUME_<NAME> (a warning says so)'),
  readOnly: recorded(bool, 'a host process can write to its folder anyway'),
  subPath: supportedAs(str, 'created inside the volume folder'),
  subPathExpr: refused('only plain subPath is supported'),
  mountPropagation: refused('mount propagation needs a container runtime'),
  recursiveReadOnly: refused('recursive read-only mounts need a container runtime'),
});

const capabilities = schema('Capabilities', {
  add: refusedWhen(strings, 'adding Linux capabilities would give a host process extra privileges', isNonEmptyList),
  drop: recorded(strings),
});
const containerSecurityContext = schema('SecurityContext', {
  privileged: refusedWhen(bool, 'a privileged pod would be a privileged host process', isTrue),
  capabilities: recorded(obj(capabilities)),
  allowPrivilegeEscalation: recorded(bool),
  readOnlyRootFilesystem: recorded(bool),
  runAsUser: recorded(int64),
  runAsGroup: recorded(int64),
  runAsNonRoot: recorded(bool),
  procMount: recorded(str),
  seLinuxOptions: recorded(),
  seccompProfile: recorded(),
  appArmorProfile: recorded(),
  windowsOptions: recorded(),
});

function containerSchema(name: string): ObjectSchema {
  return schema(name, {
    name: supported(str),
    image: recorded(str, 'shown by kubectl-style output; never pulled, since pods are host processes'),
    command: supported(strings),
    args: supported(strings, '[]'),
    workingDir: supported(str),
    env: supported(list(envVar), '[]'),
    envFrom: supported(list(envFromSource)),
    resources: supported(obj(resources)),
    volumeMounts: supported(list(volumeMount)),
    restartPolicy: supportedAs(str, 'init containers only: Always makes a sidecar, stopped once the containers have ended'),
    imagePullPolicy: recorded(str),
    ports: recorded(),
    terminationMessagePath: recorded(str),
    terminationMessagePolicy: recorded(str),
    resizePolicy: recorded(),
    securityContext: supported(obj(containerSecurityContext)),
    volumeDevices: refused('raw block devices need a container runtime'),
    livenessProbe: refused(NO_PROBES),
    readinessProbe: refused(NO_PROBES),
    startupProbe: refused(NO_PROBES),
    lifecycle: refused('postStart and preStop hooks are not run for host processes'),
    restartPolicyRules: refused('per-exit-code container restarts are not supported'),
    stdin: refusedWhen(bool, 'pods have no attached terminal or standard input', isTrue),
    stdinOnce: refusedWhen(bool, 'pods have no attached terminal or standard input', isTrue),
    tty: refusedWhen(bool, 'pods have no attached terminal or standard input', isTrue),
  });
}

const volume = schema('Volume', {
  name: supported(str),
  emptyDir: supportedAs(
    obj(schema('EmptyDirVolumeSource', { medium: recorded(str), sizeLimit: recorded({ t: 'quantity' }) })),
    'a fresh folder per pod under the state folder, removed when the pod ends',
  ),
  ...Object.fromEntries(
    [
      'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
      'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
      'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
      'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
    ].map((k) => [k, refused('only emptyDir volumes are supported: a fresh directory per pod')]),
  ),
});

const podSecurityContext = schema('PodSecurityContext', {
  runAsUser: recorded(int64),
  runAsGroup: recorded(int64),
  runAsNonRoot: recorded(bool),
  supplementalGroups: recorded(),
  supplementalGroupsPolicy: recorded(str),
  fsGroup: recorded(int64),
  fsGroupChangePolicy: recorded(str),
  seLinuxOptions: recorded(),
  seLinuxChangePolicy: recorded(str),
  seccompProfile: recorded(),
  appArmorProfile: recorded(),
  windowsOptions: recorded(),
  sysctls: refused('sysctls would change the settings of the host kernel'),
});

const podSpec = schema('PodSpec', {
  containers: supported(list(containerSchema('Container'))),
  initContainers: supported(list(containerSchema('Container')), '[]'),
  restartPolicy: supported(str),
  terminationGracePeriodSeconds: supported(int64, '30'),
  activeDeadlineSeconds: supportedAs(int64, 'from the pod start; the pod then fails with reason DeadlineExceeded'),
  volumes: supported(list(volume)),
  hostname: supportedAs(str, "the container's HOSTNAME variable; the machine's own name is not changed"),
  subdomain: recorded(str, 'there is no DNS to publish the name in'),
  serviceAccountName: recorded(str),
  serviceAccount: recorded(str),
  automountServiceAccountToken: recorded(bool),
  nodeSelector: recorded(stringMap),
  nodeName: recorded(str),
  affinity: recorded(),
  tolerations: recorded(),
  schedulerName: recorded(str),
  priorityClassName: recorded(str),
  priority: recorded(int32),
  preemptionPolicy: recorded(str),
  topologySpreadConstraints: recorded(),
  runtimeClassName: recorded(str),
  overhead: recorded(),
  readinessGates: recorded(),
  os: recorded(),
  dnsPolicy: recorded(str),
  dnsConfig: recorded(),
  enableServiceLinks: recorded(bool),
  setHostnameAsFQDN: recorded(bool),
  imagePullSecrets: recorded(),
  hostUsers: recorded(bool),
  hostnameOverride: recorded(str),
  resources: recorded(obj(resources)),
  shareProcessNamespace: recorded(bool),
  securityContext: supported(obj(podSecurityContext)),
  hostNetwork: refusedWhen(bool, HOST_NAMESPACES, isTrue),
  hostPID: refusedWhen(bool, HOST_NAMESPACES, isTrue),
  hostIPC: refusedWhen(bool, HOST_NAMESPACES, isTrue),
  hostAliases: refused('entries cannot be added to /etc/hosts for a host process'),
  ephemeralContainers: refused('ephemeral containers are added to running pods by debugging tools, never in a manifest'),
  schedulingGates: refused('nothing in gitjobs removes scheduling gates, so the pod would never start'),
  resourceClaims: refused('dynamic resource allocation needs a cluster'),
});

const podTemplate = schema('PodTemplateSpec', {
  metadata: supported(obj(templateMeta)),
  spec: supported(obj(podSpec)),
});

const onExitCodes = schema('PodFailurePolicyOnExitCodesRequirement', {
  containerName: supported(str),
  operator: supported(str),
  values: supported({ t: 'array', of: int32 }),
});
const onPodCondition = schema('PodFailurePolicyOnPodConditionsPattern', {
  type: supported(str),
  status: supported(str, 'True'),
});
const podFailurePolicy = schema('PodFailurePolicy', {
  rules: supported(
    list(
      schema('PodFailurePolicyRule', {
        action: supported(str),
        onExitCodes: supported(obj(onExitCodes)),
        onPodConditions: supported(list(onPodCondition)),
      }),
    ),
  ),
});
const successPolicy = schema('SuccessPolicy', {
  rules: supported(list(schema('SuccessPolicyRule', { succeededIndexes: supported(str), succeededCount: supported(int32) }))),
});

const jobSpec = schema('JobSpec', {
  parallelism: supported(int32, '1'),
  completions: supported(int32, '1 when parallelism is unset too; otherwise unset (a work queue)'),
  activeDeadlineSeconds: supported(int64),
  podFailurePolicy: supported(obj(podFailurePolicy)),
  successPolicy: supported(obj(successPolicy)),
  backoffLimit: supported(int32, '6; 2147483647 with backoffLimitPerIndex'),
  backoffLimitPerIndex: supported(int32),
  maxFailedIndexes: supported(int32),
  selector: supported(obj(labelSelectorSchema), 'generated'),
  manualSelector: supported(bool, 'false'),
  template: supported(obj(podTemplate)),
  ttlSecondsAfterFinished: supported(int32),
  completionMode: supported(str, 'NonIndexed'),
  suspend: supported(bool, 'false'),
  podReplacementPolicy: supported(str, 'Failed with podFailurePolicy, else TerminatingOrFailed'),
  managedBy: supported(str),
});

export const jobSchema = schema('Job', {
  apiVersion: supported(str),
  kind: supported(str),
  metadata: supported(obj(jobMeta)),
  spec: supported(obj(jobSpec)),
  status: ignored(),
});

const jobTemplateSpec = schema('JobTemplateSpec', {
  metadata: supported(obj(templateMeta)),
  spec: supported(obj(jobSpec)),
});

const cronJobSpec = schema('CronJobSpec', {
  schedule: supported(str),
  timeZone: supportedAs(str, 'an IANA name this host knows; unset: the daemon host\'s local time zone'),
  startingDeadlineSeconds: supported(int64),
  concurrencyPolicy: supported(str, 'Allow'),
  suspend: supported(bool, 'false'),
  jobTemplate: supported(obj(jobTemplateSpec)),
  successfulJobsHistoryLimit: supported(int32, '3'),
  failedJobsHistoryLimit: supported(int32, '1'),
});

export const cronJobSchema = schema('CronJob', {
  apiVersion: supported(str),
  kind: supported(str),
  metadata: supported(obj(jobMeta)),
  spec: supported(obj(cronJobSpec)),
  status: ignored(),
});

export const listSchema = schema('List', {
  apiVersion: supported(str),
  kind: supported(str),
  metadata: recorded(),
  items: supported({ t: 'array', of: any }),
});

export interface FieldRow {
  path: string;
  support: Support;
  default?: string;
  note?: string;
}

/** Every field of the table, depth first, for documentation and tests. */
export function fieldRows(root: ObjectSchema = jobSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, rule] of root.fields) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const row: FieldRow = { path, support: rule.support };
    if (rule.default !== undefined) row.default = rule.default;
    if (rule.note !== undefined) row.note = rule.refuseWhen === undefined ? rule.note : `refused when set: ${rule.note}`;
    rows.push(row);
    const inner = rule.type.t === 'array' ? rule.type.of : rule.type;
    if (inner.t === 'object' && rule.support !== 'refused') rows.push(...fieldRows(inner.schema, inner === rule.type ? path : `${path}[]`));
  }
  return rows;
}
