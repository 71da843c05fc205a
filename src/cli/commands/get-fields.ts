import type { KubeEvent, Pod } from '../../api/types.js';
import { nodeOf } from '../../api/node.js';
import { GitjobsError } from '../../errors.js';
import type { Resource } from '../resources.js';
import { usageError } from '../usage.js';
import type { JobRow } from './get-jobs.js';
import type { Row } from './get-kind.js';

type Field = (r: Row<unknown>) => string | undefined;

const COMMON: Record<string, Field> = {
  'metadata.name': (r) => r.name,
  'metadata.namespace': (r) => r.namespace,
};

// The field labels the API server supports for each resource (its
// FieldLabelConversionFunc), as far as gitjobs' objects carry them.
const FIELDS: Record<Resource, Record<string, Field>> = {
  jobs: {
    ...COMMON,
    'status.successful': (r) => String((r.item as JobRow).status?.succeeded ?? 0),
  },
  cronjobs: COMMON,
  pods: {
    ...COMMON,
    'status.phase': (r) => (r.item as Pod).status.phase,
    'spec.nodeName': (r) => nodeOf(r.item as Pod)?.name ?? '',
    'spec.restartPolicy': (r) => (r.item as Pod).spec.restartPolicy,
  },
  events: {
    // An event's own name is not kept; its involved object's is what users select on.
    'metadata.namespace': (r) => r.namespace,
    'involvedObject.kind': (r) => (r.item as KubeEvent).involvedObject.kind,
    'involvedObject.name': (r) => (r.item as KubeEvent).involvedObject.name,
    'involvedObject.namespace': (r) => (r.item as KubeEvent).involvedObject.namespace,
    'involvedObject.uid': (r) => (r.item as KubeEvent).involvedObject.uid ?? '',
    reason: (r) => (r.item as KubeEvent).reason,
    type: (r) => (r.item as KubeEvent).type,
    source: (r) => (r.item as KubeEvent).source,
    reportingComponent: (r) => (r.item as KubeEvent).source,
  },
  sources: COMMON,
  notifications: COMMON,
};

/** `--field-selector a=b,c!=d`: a filter over rows of one resource; an unknown field is refused, as the API server does. */
export function parseFieldSelector(text: string, resource: Resource, command = 'get'): (r: Row<unknown>) => boolean {
  const checks = text.split(',').map((part) => {
    const m = /^([a-zA-Z.]+)(==|!=|=)(.*)$/.exec(part.trim());
    if (!m) throw usageError(`invalid field selector "${part}"`, command);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = FIELDS[resource][field];
    if (get === undefined) {
      throw new GitjobsError('Invalid', `Error from server (BadRequest): Unable to find "${resource}" that match label selector "", field selector "${text}": field label not supported: ${field}`);
    }
    return (r: Row<unknown>) => (op === '!=' ? get(r) !== value : get(r) === value);
  });
  return (r) => checks.every((c) => c(r));
}
