// A CronJob in the Kubernetes wire form, as `kubectl get cronjob -o json|yaml` shows it.

import type { CronJob, CronJobStatus } from '../../api/cronjob.js';
import type { Job, Labels } from '../../api/types.js';
import { rfc3339, toJobObject } from './objects.js';

type Obj = Record<string, unknown>;

const nonEmptyMap = (m: Labels): Labels | undefined => (Object.keys(m).length > 0 ? m : undefined);

export function toCronJobObject(cj: CronJob, status: CronJobStatus | undefined): Obj {
  const t = cj.spec.jobTemplate;
  // The template's spec prints exactly as a Job's spec does.
  const asJob = { ...cj, uid: '', labels: t.labels, annotations: t.annotations, specHash: '', spec: t.spec } as unknown as Job;
  const jobSpec = toJobObject(asJob, undefined).spec;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: cj.name,
      namespace: cj.namespace,
      uid: cj.uid,
      labels: nonEmptyMap(cj.labels),
      annotations: nonEmptyMap(cj.annotations),
      creationTimestamp: rfc3339(cj.creationTimestamp),
      deletionTimestamp: cj.deletionTimestamp === undefined ? undefined : rfc3339(cj.deletionTimestamp),
      generation: cj.generation,
    },
    spec: {
      schedule: cj.spec.schedule,
      timeZone: cj.spec.timeZone,
      startingDeadlineSeconds: cj.spec.startingDeadlineSeconds,
      concurrencyPolicy: cj.spec.concurrencyPolicy,
      suspend: cj.spec.suspend,
      jobTemplate: {
        metadata: { creationTimestamp: null, labels: nonEmptyMap(t.labels), annotations: nonEmptyMap(t.annotations) },
        spec: jobSpec,
      },
      successfulJobsHistoryLimit: cj.spec.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: cj.spec.failedJobsHistoryLimit,
    },
    status: status === undefined ? {} : {
      active: status.active.length === 0 ? undefined : status.active.map((a) => ({ apiVersion: 'batch/v1', kind: 'Job', name: a.name, namespace: a.namespace, uid: a.uid })),
      lastScheduleTime: status.lastScheduleTime === undefined ? undefined : rfc3339(status.lastScheduleTime),
      lastSuccessfulTime: status.lastSuccessfulTime === undefined ? undefined : rfc3339(status.lastSuccessfulTime),
    },
  };
}
