// The Kubernetes wire form of gitjobs' records, as `kubectl get -o json|yaml`
// would show them: field names, omitempty rules and RFC 3339 times included.

import type {
  Container,
  ContainerState,
  ContainerStatus,
  Job,
  JobCondition,
  JobStatus,
  KubeEvent,
  Labels,
  Millis,
  Pod,
  PodSpec,
  PodTemplateSpec,
} from '../../api/types.js';
import type { NodeRef } from '../../api/fieldref.js';
import { nodeOf } from '../../api/node.js';
import { JOB_COMPLETION_INDEX } from '../../api/types.js';
import { rfc3339 } from './time.js';

export { rfc3339 } from './time.js';

type Obj = Record<string, unknown>;

const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

const nonEmpty = <T>(xs: T[] | undefined): T[] | undefined => (xs !== undefined && xs.length > 0 ? xs : undefined);
const nonEmptyMap = (m: Labels | undefined): Labels | undefined =>
  m !== undefined && Object.keys(m).length > 0 ? m : undefined;
const time = (ms: Millis | undefined): string | undefined => (ms === undefined ? undefined : rfc3339(ms));

/** SetDefaults_Container: Always for an untagged or :latest image (without a digest), else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): string | undefined {
  if (image === undefined || image === '') return undefined;
  if (image.includes('@')) return 'IfNotPresent';
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function containerObject(c: Container): Obj {
  return {
    name: c.name,
    image: c.image,
    command: nonEmpty(c.command),
    args: nonEmpty(c.args),
    env: nonEmpty(c.env),
    workingDir: c.workingDir,
    // ResourceRequirements is not a pointer in the API, so it always appears.
    resources: c.resources ?? {},
    volumeMounts: nonEmpty(c.volumeMounts),
    restartPolicy: c.restartPolicy,
    // The API server's defaults, printed so the output diffs cleanly against a cluster's.
    imagePullPolicy: defaultImagePullPolicy(c.image),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function podSpecObject(spec: PodSpec, node?: NodeRef): Obj {
  return {
    containers: spec.containers.map(containerObject),
    initContainers: nonEmpty(spec.initContainers.map(containerObject)),
    restartPolicy: spec.restartPolicy,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    activeDeadlineSeconds: spec.activeDeadlineSeconds,
    hostname: spec.hostname,
    subdomain: spec.subdomain,
    volumes: nonEmpty(spec.volumes),
    serviceAccountName: spec.serviceAccountName,
    nodeSelector: nonEmptyMap(spec.nodeSelector),
    nodeName: node?.name,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: {},
  };
}

function templateObject(t: PodTemplateSpec): Obj {
  return {
    metadata: {
      // The API server stores template metadata with a null creationTimestamp.
      creationTimestamp: null,
      labels: nonEmptyMap(t.metadata.labels),
      annotations: nonEmptyMap(t.metadata.annotations),
    },
    spec: podSpecObject(t.spec),
  };
}

function jobConditionObject(c: JobCondition): Obj {
  return {
    type: c.type,
    status: c.status,
    reason: c.reason === '' ? undefined : c.reason,
    message: c.message === '' ? undefined : c.message,
    lastProbeTime: rfc3339(c.lastProbeTime),
    lastTransitionTime: rfc3339(c.lastTransitionTime),
  };
}

function jobStatusObject(s: JobStatus | undefined): Obj {
  // Before the controller's first sync a Job's status is empty.
  if (s === undefined) return {};
  return {
    conditions: nonEmpty(s.conditions.map(jobConditionObject)),
    startTime: time(s.startTime),
    completionTime: time(s.completionTime),
    active: s.active === 0 ? undefined : s.active,
    succeeded: s.succeeded === 0 ? undefined : s.succeeded,
    failed: s.failed === 0 ? undefined : s.failed,
    // Pointers the controller always sets, so they show even when zero.
    ready: s.ready,
    terminating: s.terminating,
    completedIndexes: s.completedIndexes === '' ? undefined : s.completedIndexes,
    failedIndexes: s.failedIndexes,
    uncountedTerminatedPods: {},
  };
}

export function toJobObject(job: Job, status: JobStatus | undefined): Obj {
  const spec = job.spec;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: job.name,
      namespace: job.namespace,
      uid: job.uid,
      labels: nonEmptyMap(job.labels),
      annotations: nonEmptyMap(job.annotations),
      creationTimestamp: rfc3339(job.creationTimestamp),
      deletionTimestamp: time(job.deletionTimestamp),
      generation: job.generation,
      ownerReferences:
        job.owner === undefined
          ? undefined
          : [{ apiVersion: 'batch/v1', kind: job.owner.kind, name: job.owner.name, uid: job.owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      parallelism: spec.parallelism,
      completions: spec.completions,
      activeDeadlineSeconds: spec.activeDeadlineSeconds,
      backoffLimit: spec.backoffLimit,
      backoffLimitPerIndex: spec.backoffLimitPerIndex,
      maxFailedIndexes: spec.maxFailedIndexes,
      completionMode: spec.completionMode,
      suspend: spec.suspend,
      manualSelector: spec.manualSelector,
      selector: spec.selector,
      template: templateObject(spec.template),
      ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
      podReplacementPolicy: spec.podReplacementPolicy,
      podFailurePolicy: spec.podFailurePolicy,
      successPolicy: spec.successPolicy,
      managedBy: spec.managedBy,
    },
    status: jobStatusObject(status),
  };
}

function containerStateObject(s: ContainerState | undefined): Obj {
  if (s === undefined) return {};
  if (s.running !== undefined) return { running: { startedAt: rfc3339(s.running.startedAt) } };
  if (s.terminated !== undefined) {
    const t = s.terminated;
    return {
      terminated: {
        exitCode: t.exitCode,
        signal: t.signal === undefined || t.signal === 0 ? undefined : t.signal,
        reason: t.reason === '' ? undefined : t.reason,
        message: t.message === '' ? undefined : t.message,
        // metav1.Time without omitempty: an unknown start is null.
        startedAt: t.startedAt === undefined ? null : rfc3339(t.startedAt),
        finishedAt: rfc3339(t.finishedAt),
      },
    };
  }
  if (s.waiting !== undefined) {
    return { waiting: { reason: s.waiting.reason === '' ? undefined : s.waiting.reason, message: s.waiting.message } };
  }
  return {};
}

function containerStatusObject(c: ContainerStatus, spec: Container | undefined): Obj {
  return {
    name: c.name,
    image: c.image ?? spec?.image ?? '',
    imageID: '',
    ready: c.ready,
    restartCount: c.restartCount,
    started: c.started,
    state: containerStateObject(c.state),
    lastState: containerStateObject(c.lastState),
  };
}

/** What kubelet reports for pods that request no resources: the only class local processes get. */
export function podQosClass(spec: PodSpec): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const all = [...spec.containers, ...spec.initContainers];
  const any = all.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length > 0 || Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && request === limit;
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The generateName the Job controller gives its pods: `<job>-`, or `<job>-<index>-` when Indexed. */
export function podGenerateName(pod: Pod): string | undefined {
  if (pod.owner === undefined) return undefined;
  const index = pod.labels[JOB_COMPLETION_INDEX] ?? pod.annotations[JOB_COMPLETION_INDEX];
  return index === undefined ? `${pod.owner.name}-` : `${pod.owner.name}-${index}-`;
}

export function toPodObject(pod: Pod): Obj {
  const node = nodeOf(pod);
  const byName = new Map([...pod.spec.containers, ...pod.spec.initContainers].map((c) => [c.name, c]));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      generateName: podGenerateName(pod),
      namespace: pod.namespace,
      uid: pod.uid,
      labels: nonEmptyMap(pod.labels),
      annotations: nonEmptyMap(pod.annotations),
      creationTimestamp: rfc3339(pod.creationTimestamp),
      deletionTimestamp: time(pod.deletionTimestamp),
      deletionGracePeriodSeconds: pod.deletionTimestamp === undefined ? undefined : pod.deletionGracePeriodSeconds,
      finalizers: pod.trackingFinalizer ? [JOB_TRACKING_FINALIZER] : undefined,
      ownerReferences:
        pod.owner === undefined
          ? undefined
          : [
              {
                apiVersion: 'batch/v1',
                kind: 'Job',
                name: pod.owner.name,
                uid: pod.owner.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
    },
    spec: podSpecObject(pod.spec, node),
    status: {
      phase: pod.status.phase,
      hostIP: node?.ip,
      hostIPs: node === undefined ? undefined : [{ ip: node.ip }],
      podIP: node?.ip,
      podIPs: node === undefined ? undefined : [{ ip: node.ip }],
      reason: pod.status.reason,
      message: pod.status.message,
      startTime: time(pod.status.startTime),
      conditions: nonEmpty(
        pod.status.conditions.map((c) => ({
          type: c.type,
          status: c.status,
          reason: c.reason,
          message: c.message,
          lastProbeTime: null,
          lastTransitionTime: rfc3339(c.lastTransitionTime),
        })),
      ),
      initContainerStatuses: nonEmpty(pod.status.initContainerStatuses.map((c) => containerStatusObject(c, byName.get(c.name)))),
      containerStatuses: nonEmpty(pod.status.containerStatuses.map((c) => containerStatusObject(c, byName.get(c.name)))),
      qosClass: podQosClass(pod.spec),
    },
  };
}

const INVOLVED_API_VERSION: Record<string, string | undefined> = { Job: 'batch/v1', Pod: 'v1', Source: 'gitjobs.io/v1' };

// FNV-1a over the event's identity: stable across runs, spread enough that two
// events recorded in the same millisecond do not share a name.
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Kubernetes names events `<object>.<hex of the creation time in nanoseconds>`.
 * The sub-millisecond digits come from a hash of the event's content, so the
 * name is deterministic yet distinct for distinct events.
 */
export function eventName(e: KubeEvent): string {
  const key = [e.involvedObject.kind, e.involvedObject.namespace, e.involvedObject.name, e.reason, e.message].join('\0');
  const nanos = BigInt(Math.max(0, Math.trunc(e.firstTimestamp))) * 1_000_000n + BigInt(fnv1a(key) % 1_000_000);
  return `${e.involvedObject.name}.${nanos.toString(16)}`;
}

export function toEventObject(e: KubeEvent): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: eventName(e),
      namespace: e.involvedObject.namespace,
      creationTimestamp: rfc3339(e.firstTimestamp),
    },
    involvedObject: {
      apiVersion: INVOLVED_API_VERSION[e.involvedObject.kind],
      kind: e.involvedObject.kind,
      name: e.involvedObject.name,
      namespace: e.involvedObject.namespace,
      uid: e.involvedObject.uid,
    },
    reason: e.reason,
    message: e.message,
    type: e.type,
    count: e.count,
    firstTimestamp: rfc3339(e.firstTimestamp),
    lastTimestamp: rfc3339(e.lastTimestamp),
    source: { component: e.source },
    reportingComponent: e.source,
    reportingInstance: '',
    eventTime: null,
  };
}

/** What `kubectl get` wraps several objects in. */
export function toList(items: Obj[]): Obj {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}
