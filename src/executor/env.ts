import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { resolveFieldRef } from '../api/fieldref.js';
import type { Container, Pod } from '../api/types.js';
import { resolveResourceField, type NodeCapacity } from './resources.js';

/**
 * Kubernetes' `$(VAR)` expansion: a reference resolves against the variables
 * defined so far; `$$(VAR)` is an escaped literal; an unresolved reference is
 * left as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close !== -1) {
        const name = input.slice(i + 2, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

export interface ContainerEnvInput {
  pod: Pod;
  container: Container;
  /** Variables every pod gets before its own (PATH, HOME, HOSTNAME, GITJOBS_*). */
  base: Record<string, string>;
  /** This machine as the pod's node: its name, address and capacity. */
  node?: LocalNode;
}

export interface LocalNode {
  name: string;
  /** Pods share the host's network, so the pod's address is the host's. */
  ip: string;
  capacity: NodeCapacity;
}

const NODE_ADDRESS_FIELDS = new Set(['status.podIP', 'status.podIPs', 'status.hostIP', 'status.hostIPs']);

/** The environment a container's process starts with; nothing of the daemon's leaks in unless listed in base. */
export function containerEnv({ pod, container, base, node }: ContainerEnvInput): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const defined = new Map<string, string>();
  for (const v of container.env) {
    const from = v.valueFrom;
    let value: string | undefined;
    if (v.value !== undefined) {
      value = expandVars(v.value, (n) => defined.get(n));
    } else if (from?.fieldRef !== undefined) {
      const path = from.fieldRef.fieldPath;
      value = resolveFieldRef(pod, path, node === undefined ? undefined : { name: node.name, ip: node.ip });
      if (value === undefined && node !== undefined && NODE_ADDRESS_FIELDS.has(path)) value = node.ip;
    } else if (from?.resourceFieldRef !== undefined && node !== undefined) {
      const ref = from.resourceFieldRef;
      const target = ref.containerName === undefined || ref.containerName === '' ? container : findContainer(pod, ref.containerName);
      value = target === undefined ? undefined : resolveResourceField(target, ref.resource, ref.divisor, node.capacity);
    } else if (from?.configMapKeyRef !== undefined || from?.secretKeyRef !== undefined) {
      // There are no ConfigMaps or Secrets: an optional reference (the only kind
      // validation lets through) finds nothing, and the kubelet then leaves the variable out.
      continue;
    }
    if (value === undefined) value = '';
    defined.set(v.name, value);
    env[v.name] = value;
  }
  return env;
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
