import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { resolveFieldRef } from '../../api/fieldref.js';
import type { Container, Pod } from '../../api/types.js';
import { envVarName } from '../../api/names.js';
import { expandVars, varReferences } from '../../manifest/env-refs.js';
import { resolveResourceField, type NodeCapacity } from './resources.js';
import { ContainerConfigError, type SecretSource } from './secrets.js';

export { expandVars } from '../../manifest/env-refs.js';

export interface ContainerEnvInput {
  pod: Pod;
  container: Container;
  /** Variables every pod gets before its own (PATH, HOME, HOSTNAME, GITJOBS_*). */
  base: Record<string, string>;
  /** This machine as the pod's node: its name, address and capacity. */
  node?: LocalNode;
  /** Where Secrets are read from; without one, no Secret exists. */
  secrets?: SecretSource;
  /** A Warning event on the pod (keys of an envFrom Secret that are no variable names). */
  warn?: (reason: string, message: string) => void;
}

export interface LocalNode {
  name: string;
  /** Pods share the host's network, so the pod's address is the host's. */
  ip: string;
  capacity: NodeCapacity;
}

const NODE_ADDRESS_FIELDS = new Set(['status.podIP', 'status.podIPs', 'status.hostIP', 'status.hostIPs']);

/**
 * What every container of a pod has before the source's and its own env: the
 * daemon's PATH and HOME, and the pod's hostname, as a runtime sets HOSTNAME.
 */
export function podEnvDefaults(pod: Pod): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    HOSTNAME: pod.spec.hostname ?? pod.name,
  };
}

/**
 * The environment a container's process starts with; nothing of the daemon's
 * leaks in unless listed in base. Throws ContainerConfigError when a
 * required Secret or key is missing or refused, as the kubelet refuses to
 * create such a container.
 */
export function containerEnv(input: ContainerEnvInput): Record<string, string> {
  return buildEnv(input).env;
}

/**
 * The environment and argv of a container run. A `$(VAR)` in command or args
 * that would expand a secret is refused: argv is readable by every user of
 * the machine, the environment only by the pod's user.
 */
export function containerLaunch(input: ContainerEnvInput): { env: Record<string, string>; argv: string[] } {
  const { env, secretOf } = buildEnv(input);
  for (const arg of [...input.container.command, ...input.container.args]) {
    for (const name of varReferences(arg)) {
      const secret = secretOf.get(name);
      if (secret !== undefined && Object.hasOwn(env, name)) {
        throw new ContainerConfigError(
          'SecretInArgv',
          `$(${name}) in command or args would put the value of secret ${JSON.stringify(secret)} in the process's arguments, which every user of this machine can read; use the variable from the program instead`,
        );
      }
    }
  }
  return { env, argv: containerArgv(input.container, env) };
}

function buildEnv({ pod, container, base, node, secrets, warn }: ContainerEnvInput): { env: Record<string, string>; secretOf: Map<string, string> } {
  const env: Record<string, string> = { ...base };
  const defined = new Map<string, string>();
  // Which variables hold a secret's value, and whose: they must never reach argv.
  const secretOf = new Map<string, string>();
  const set = (name: string, value: string, secret: string | undefined): void => {
    defined.set(name, value);
    env[name] = value;
    if (secret === undefined) secretOf.delete(name);
    else secretOf.set(name, secret);
  };
  // envFrom first, in order; env then overrides it, as the kubelet does.
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef !== undefined) {
      if (from.configMapRef.optional !== true) throw new ContainerConfigError('ConfigMapNotFound', `configmap ${JSON.stringify(from.configMapRef.name)} not found`);
      continue;
    }
    const ref = from.secretRef;
    if (ref === undefined) continue;
    const data = secrets?.readAll(pod.namespace, ref.name);
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw new ContainerConfigError('SecretNotFound', `secret ${JSON.stringify(ref.name)} not found`);
    }
    const invalid: string[] = [];
    for (const [key, value] of data) {
      const name = (from.prefix ?? '') + key;
      if (envVarName(name).length > 0) invalid.push(name);
      else set(name, value, ref.name);
    }
    if (invalid.length > 0) {
      warn?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom secret ${pod.namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }
  for (const v of container.env) {
    const from = v.valueFrom;
    let value: string | undefined;
    let secret: string | undefined;
    if (v.value !== undefined) {
      value = expandVars(v.value, (n) => defined.get(n));
      // A value that expands a secret holds that secret.
      const via = varReferences(v.value).find((n) => secretOf.has(n) && defined.has(n));
      if (via !== undefined) secret = secretOf.get(via);
    } else if (from?.fieldRef !== undefined) {
      const path = from.fieldRef.fieldPath;
      value = resolveFieldRef(pod, path, node === undefined ? undefined : { name: node.name, ip: node.ip });
      if (value === undefined && node !== undefined && NODE_ADDRESS_FIELDS.has(path)) value = node.ip;
    } else if (from?.resourceFieldRef !== undefined && node !== undefined) {
      const ref = from.resourceFieldRef;
      const target = ref.containerName === undefined || ref.containerName === '' ? container : findContainer(pod, ref.containerName);
      value = target === undefined ? undefined : resolveResourceField(target, ref.resource, ref.divisor, node.capacity);
    } else if (from?.secretKeyRef !== undefined) {
      const ref = from.secretKeyRef;
      const found = secrets?.readKey(pod.namespace, ref.name, ref.key) ?? { kind: 'no-secret' };
      if (found.kind !== 'value') {
        // An optional reference to something missing leaves the variable out, as the kubelet does.
        if (ref.optional === true) continue;
        throw found.kind === 'no-secret'
          ? new ContainerConfigError('SecretNotFound', `secret ${JSON.stringify(ref.name)} not found`)
          : new ContainerConfigError('SecretKeyNotFound', `couldn't find key ${ref.key} in Secret ${pod.namespace}/${ref.name}`);
      }
      value = found.value;
      secret = ref.name;
    } else if (from?.configMapKeyRef !== undefined) {
      // There are no ConfigMaps: an optional reference (the only kind validation
      // lets through) finds nothing, and the kubelet then leaves the variable out.
      if (from.configMapKeyRef.optional === true) continue;
      throw new ContainerConfigError('ConfigMapNotFound', `configmap ${JSON.stringify(from.configMapKeyRef.name)} not found`);
    }
    set(v.name, value ?? '', secret);
  }
  return { env, secretOf };
}

function findContainer(pod: Pod, name: string): Container | undefined {
  return pod.spec.containers.find((c) => c.name === name) ?? pod.spec.initContainers.find((c) => c.name === name);
}

/** command + args with `$(VAR)` expanded against the container's own variables. */
export function containerArgv(container: Container, env: Record<string, string>): string[] {
  const lookup = (n: string): string | undefined => env[n];
  return [...container.command, ...container.args].map((a) => expandVars(a, lookup));
}

const resolved = new Map<string, string | null>();

/**
 * Finds the executable as execvp would. A missing one fails the container at
 * start, as a runtime reports it, instead of reaching the shell wrapper.
 */
export function resolveExecutable(cmd: string, pathVar: string, cwd: string): string | null {
  const key = `${cmd}\0${pathVar}\0${cmd.includes('/') ? cwd : ''}`;
  const hit = resolved.get(key);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  if (cmd.includes('/')) {
    const full = isAbsolute(cmd) ? cmd : join(cwd, cmd);
    found = isExecutableFile(full) ? full : null;
  } else {
    for (const dir of pathVar.split(delimiter)) {
      if (dir === '') continue;
      const full = join(dir, cmd);
      if (isExecutableFile(full)) {
        found = full;
        break;
      }
    }
  }
  // Only successes are cached: a script created later must be found then.
  if (found !== null) resolved.set(key, found);
  return found;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
