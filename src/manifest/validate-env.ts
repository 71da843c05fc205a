// A container's `env` and `envFrom`, as the API server validates them, plus
// the one rule gitjobs adds: a secret never goes into a process's arguments.

import type { Container, EnvVar } from '../api/types.js';
import { dns1123Subdomain, envVarName } from '../api/names.js';
import { varReferences } from './env-refs.js';
import { forbidden, invalid, notSupported, required } from './messages.js';
import type { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const ENV_RESOURCES = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** `IsConfigMapKey`, which Secret keys obey too: a key is a file name in the secrets folder, so it must never climb out. */
export function configKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(v)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

export function validateContainerEnv(c: Container, path: FieldPath, r: Reporter): void {
  c.env.forEach((e, i) => validateEnvVar(e, path.child('env').index(i), r));
  (c.envFrom ?? []).forEach((e, i) => {
    const p = path.child('envFrom').index(i);
    if (e.prefix !== undefined && e.prefix !== '') for (const m of envVarName(e.prefix)) r.error('FieldInvalid', p.child('prefix'), invalid(e.prefix, m));
    const sources = [e.configMapRef, e.secretRef].filter((s) => s !== undefined).length;
    if (sources === 0) r.error('FieldInvalid', path.child('envFrom'), invalid('', 'must specify one of: `configMapRef` or `secretRef`'), { locateAt: p });
    else if (sources > 1) r.error('FieldInvalid', path.child('envFrom'), invalid('', 'may not have more than one field specified at a time'), { locateAt: p });
    if (e.secretRef !== undefined) validateObjectName(e.secretRef.name, p.child('secretRef').child('name'), r);
    if (e.configMapRef !== undefined) {
      validateObjectName(e.configMapRef.name, p.child('configMapRef').child('name'), r);
      if (e.configMapRef.optional !== true) r.error('FieldNotSupported', p.child('configMapRef'), NO_CONFIG_MAPS);
    }
  });
  refuseSecretsInArgv(c, path, r);
}

const NO_CONFIG_MAPS = 'gitjobs has no ConfigMap objects to read from, so the container could never start; set optional: true to run without it';

function validateObjectName(name: string | undefined, path: FieldPath, r: Reporter): void {
  if (name === undefined || name === '') r.error('FieldRequired', path, required());
  else for (const m of dns1123Subdomain(name)) r.error('FieldInvalid', path, invalid(name, m));
}

function validateEnvVar(e: EnvVar, path: FieldPath, r: Reporter): void {
  if (e.name === '') r.error('FieldRequired', path.child('name'), required());
  else for (const m of envVarName(e.name)) r.error('FieldInvalid', path.child('name'), invalid(e.name, m));

  const from = e.valueFrom;
  if (from === undefined) return;
  const p = path.child('valueFrom');
  const sources = [from.fieldRef, from.resourceFieldRef, from.configMapKeyRef, from.secretKeyRef].filter((s) => s !== undefined).length;
  if (sources === 0) {
    r.error('FieldInvalid', p, invalid('', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (e.value !== undefined && e.value !== '') {
    r.error('FieldInvalid', p, invalid('', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    r.error('FieldInvalid', p, invalid('', 'may not have more than one field specified at a time'));
  }
  if (from.fieldRef !== undefined) {
    const fp = from.fieldRef.fieldPath;
    const fpPath = p.child('fieldRef').child('fieldPath');
    if (fp === undefined || fp === '') r.error('FieldRequired', fpPath, required());
    else if (!ENV_FIELD_PATHS.includes(fp) && !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fp)) {
      r.error('FieldInvalid', fpPath, notSupported(fp, ENV_FIELD_PATHS));
    }
  }
  if (from.resourceFieldRef !== undefined) {
    const res = from.resourceFieldRef.resource;
    const resPath = p.child('resourceFieldRef').child('resource');
    if (res === undefined || res === '') r.error('FieldRequired', resPath, required());
    else if (!ENV_RESOURCES.includes(res)) r.error('FieldInvalid', resPath, notSupported(res, ENV_RESOURCES));
  }
  for (const [name, ref] of [
    ['configMapKeyRef', from.configMapKeyRef],
    ['secretKeyRef', from.secretKeyRef],
  ] as const) {
    if (ref === undefined) continue;
    const keyPath = p.child(name).child('key');
    if (ref.key === undefined || ref.key === '') r.error('FieldRequired', keyPath, required());
    else for (const m of configKey(ref.key)) r.error('FieldInvalid', keyPath, invalid(ref.key, m));
    validateObjectName(ref.name, p.child(name).child('name'), r);
    // The kubelet would hold the container back until the ConfigMap exists, which here is never.
    if (name === 'configMapKeyRef' && ref.optional !== true) r.error('FieldNotSupported', p.child(name), NO_CONFIG_MAPS);
  }
}

/**
 * Every user of the machine can read a process's arguments (/proc/PID/cmdline,
 * `ps`), so `$(VAR)` of a variable that holds a secret is refused in command
 * and args. A variable whose value expands a secret holds that secret too.
 */
function refuseSecretsInArgv(c: Container, path: FieldPath, r: Reporter): void {
  const secretOf = secretVariables(c.env);
  if (secretOf.size === 0) return;
  for (const field of ['command', 'args'] as const) {
    c[field].forEach((arg, i) => {
      for (const name of new Set(varReferences(arg))) {
        const secret = secretOf.get(name);
        if (secret === undefined) continue;
        r.error('FieldForbidden', path.child(field).index(i), secretInArgvMessage(name, secret));
      }
    });
  }
}

export function secretInArgvMessage(variable: string, secret: string): string {
  return forbidden(
    `$(${variable}) would put the value of secret ${JSON.stringify(secret)} in the process's arguments, which every user of this machine can read; ` +
      `use the variable from the program instead (for example "$${variable}" inside sh -c)`,
  );
}

/** Variable name → the secret its value comes from, in declaration order as the kubelet builds them. */
export function secretVariables(env: readonly EnvVar[]): Map<string, string> {
  const secretOf = new Map<string, string>();
  for (const e of env) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref !== undefined) {
      secretOf.set(e.name, ref.name);
      continue;
    }
    const via = e.value === undefined ? undefined : varReferences(e.value).find((n) => secretOf.has(n));
    if (via !== undefined) secretOf.set(e.name, secretOf.get(via) ?? '');
    else secretOf.delete(e.name);
  }
  return secretOf;
}
