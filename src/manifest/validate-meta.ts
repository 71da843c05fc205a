import { FieldPath } from './path.js';
import { invalid, required } from './messages.js';
import { dns1123Label, dns1123Subdomain, labelValue, maxLenError, qualifiedName } from '../api/names.js';
import type { Reporter } from './reporter.js';

const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** A Job's name is the value of the `job-name` label of its pods. */
const MAX_LABEL_VALUE = 63;

/**
 * What every object's name must be (ValidateObjectMeta with a DNS-1123
 * subdomain): given, and a subdomain. True when it is; each kind then adds
 * its own length rule.
 */
export function validateObjectName(name: string | undefined, r: Reporter): name is string {
  const path = FieldPath.of('metadata', 'name');
  if (name === undefined || name === '') {
    r.error('FieldRequired', path, required('name or generateName is required'));
    return false;
  }
  const errs = dns1123Subdomain(name);
  for (const m of errs) r.error('FieldInvalid', path, invalid(name, m));
  return errs.length === 0;
}

export function validateJobName(name: string | undefined, r: Reporter): void {
  const path = FieldPath.of('metadata', 'name');
  if (!validateObjectName(name, r)) return;
  if (name.length > MAX_LABEL_VALUE) {
    r.error(
      'FieldInvalid',
      path,
      invalid(
        name,
        `${maxLenError(MAX_LABEL_VALUE)}: the name is the value of the job-name label of the Job's pods, so Kubernetes rejects longer names through spec.template.metadata.labels`,
      ),
    );
    return;
  }
  const labelErrs = dns1123Label(name);
  if (labelErrs.length > 0) {
    r.warn(
      'NameNotDNSLabel',
      path,
      `this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${labelErrs.join(' ')}]`,
    );
  }
}

export function validateNamespace(namespace: string, r: Reporter): void {
  const path = FieldPath.of('metadata', 'namespace');
  for (const m of dns1123Label(namespace)) r.error('FieldInvalid', path, invalid(namespace, m));
}

export function validateLabels(labels: Record<string, string>, path: FieldPath, r: Reporter): void {
  for (const [k, v] of Object.entries(labels)) {
    for (const m of qualifiedName(k)) r.error('FieldInvalid', path, invalid(k, m), { locateAt: path.key(k), at: 'key' });
    for (const m of labelValue(v)) r.error('FieldInvalid', path, invalid(v, m), { locateAt: path.key(k) });
  }
}

export function validateAnnotations(annotations: Record<string, string>, path: FieldPath, r: Reporter): void {
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations)) {
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
    for (const m of qualifiedName(k.toLowerCase())) r.error('FieldInvalid', path, invalid(k, m), { locateAt: path.key(k), at: 'key' });
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) r.error('FieldInvalid', path, `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes`);
}

/**
 * ValidateObjectMeta: the name by the kind's own rule, then the namespace,
 * labels and annotations as every kind has them. Skipped when the structure
 * of metadata was already refused.
 */
export function validateObjectMeta(
  meta: { name: string | undefined; namespace: string; labels: Record<string, string>; annotations: Record<string, string> },
  nameRule: (name: string | undefined, r: Reporter) => void,
  r: Reporter,
): void {
  if (r.isSettled(FieldPath.of('metadata'))) return;
  nameRule(meta.name, r);
  validateNamespace(meta.namespace, r);
  validateLabels(meta.labels, FieldPath.of('metadata', 'labels'), r);
  validateAnnotations(meta.annotations, FieldPath.of('metadata', 'annotations'), r);
}
