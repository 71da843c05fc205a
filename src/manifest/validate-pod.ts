import type { Container, PodSpec } from '../api/types.js';
import { duplicate, forbidden, invalid, nonNegative, notSupported, required } from './messages.js';
import { dns1123Label } from '../api/names.js';
import { validateContainerEnv } from './validate-env.js';
import type { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';

const INT32_MAX = 2147483647;

/**
 * A host process cannot have a folder mounted for it, so each mounted emptyDir
 * is handed over in `GITJOBS_VOLUME_<NAME>` (the volume name upper-cased, other
 * characters as `_`).
 */
export function volumeEnvName(volume: string): string {
  return `GITJOBS_VOLUME_${volume.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** `ValidatePodTemplateSpec`, for what a host process can honour. `path` is `spec.template.spec`. */
export function validatePodSpec(spec: PodSpec, path: FieldPath, r: Reporter): void {
  if (spec.containers.length === 0) r.error('FieldRequired', path.child('containers'), required());

  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const p = path.child('volumes').index(i);
    validateDNSLabel(v.name, p.child('name'), r);
    if (volumeNames.has(v.name)) r.error('FieldDuplicate', p.child('name'), duplicate(v.name));
    volumeNames.add(v.name);
    if (v.emptyDir === undefined) r.error('FieldRequired', p, required('must specify a volume type'));
  });

  const names = new Set<string>();
  const check = (c: Container, p: FieldPath, init: boolean): void => {
    validateContainer(c, p, init, volumeNames, r);
    if (c.name !== '' && names.has(c.name)) r.error('FieldDuplicate', p.child('name'), duplicate(c.name));
    names.add(c.name);
  };
  spec.initContainers.forEach((c, i) => check(c, path.child('initContainers').index(i), true));
  spec.containers.forEach((c, i) => check(c, path.child('containers').index(i), false));

  if (spec.terminationGracePeriodSeconds < 0) {
    r.error('FieldInvalid', path.child('terminationGracePeriodSeconds'), nonNegative(spec.terminationGracePeriodSeconds));
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && (ads < 1 || ads > INT32_MAX)) {
    r.error('FieldInvalid', path.child('activeDeadlineSeconds'), invalid(ads, `must be between 1 and ${INT32_MAX}, inclusive`));
  }
  if (spec.hostname !== undefined) validateDNSLabel(spec.hostname, path.child('hostname'), r);
  if (spec.subdomain !== undefined) validateDNSLabel(spec.subdomain, path.child('subdomain'), r);
}

function validateDNSLabel(value: string, path: FieldPath, r: Reporter): void {
  if (value === '') {
    r.error('FieldRequired', path, required());
    return;
  }
  for (const m of dns1123Label(value)) r.error('FieldInvalid', path, invalid(value, m));
}

function validateContainer(c: Container, path: FieldPath, init: boolean, volumes: Set<string>, r: Reporter): void {
  validateDNSLabel(c.name, path.child('name'), r);
  if (c.image === undefined || c.image.trim() === '') {
    r.warn(
      'FieldRequired',
      path.child('image'),
      required('Kubernetes requires an image; gitjobs only records it, so set one to keep the manifest portable'),
    );
  }
  if (c.command.length === 0) {
    r.error(
      'FieldRequired',
      path.child('command'),
      required("pods are host processes, so an image's entrypoint cannot be run; set command to the program to execute"),
    );
  }
  if (init) {
    if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
      r.error('FieldInvalid', path.child('restartPolicy'), notSupported(c.restartPolicy, ['Always']));
    }
  } else if (c.restartPolicy !== undefined) {
    r.error('FieldForbidden', path.child('restartPolicy'), forbidden('may not be set for non-init containers'));
  }
  validateContainerEnv(c, path, r);
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = path.child('volumeMounts').index(i);
    if (m.name === undefined || m.name === '') r.error('FieldRequired', p.child('name'), required());
    else if (!volumes.has(m.name)) r.error('FieldNotFound', p.child('name'), `Not found: ${JSON.stringify(m.name)}`);
    if (m.mountPath === undefined || m.mountPath === '') {
      r.error('FieldRequired', p.child('mountPath'), required());
    } else if (mountPaths.has(m.mountPath)) {
      r.error('FieldInvalid', p.child('mountPath'), invalid(m.mountPath, 'must be unique'));
    } else {
      mountPaths.add(m.mountPath);
      // Said on every mount, so nobody expects a file at mountPath.
      if (m.name !== undefined && m.name !== '') {
        r.warn(
          'FieldIgnored',
          p.child('mountPath'),
          `pods are host processes and nothing can be mounted at ${JSON.stringify(m.mountPath)}; the volume's folder is in $${volumeEnvName(m.name)}` +
            (m.subPath === undefined || m.subPath === '' ? '' : `, and this mount's in $${volumeEnvName(m.name)}/${m.subPath}`),
        );
      }
    }
    if (m.subPath !== undefined && m.subPath !== '') {
      if (m.subPath.startsWith('/')) r.error('FieldInvalid', p.child('subPath'), invalid(m.subPath, 'must be a relative path'));
      else if (m.subPath.split('/').includes('..')) r.error('FieldInvalid', p.child('subPath'), invalid(m.subPath, "must not contain '..'"));
    }
  });
}
