// Sections shared by `describe job` and `describe pod`, each written the way
// kubectl's describers write them (same labels, same `<none>`s, same tabs).

import type { Container, ContainerState, ContainerStatus, EnvVar, KubeEvent, Volume } from '../../api/types.js';
import type { DescribeWriter } from './describe-writer.js';
import { age } from './duration.js';
import { rfc1123z } from './time.js';

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first by last occurrence, the order `kubectl events` and `describe` use. */
export function sortEvents(events: KubeEvent[]): KubeEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.lastTimestamp - b.e.lastTimestamp || a.i - b.i)
    .map((x) => x.e);
}

/** Annotations kubectl never shows in describe. */
const SKIPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const MAX_ANNOTATION_LEN = 140;

export function writeLabels(w: DescribeWriter, title: string, labels: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort(byKey);
  if (keys.length === 0) {
    w.line('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    w.write(0, `${k}=${labels?.[k] ?? ''}\n`);
  });
}

function shorten(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '...' : s;
}

export function writeAnnotations(w: DescribeWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !SKIPPED_ANNOTATIONS.has(k))
    .sort(byKey);
  if (keys.length === 0) {
    w.line('<none>');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = (annotations?.[k] ?? '').replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      // Long or multi-line values go underneath their key.
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

/** Resolves `valueFrom.fieldRef` against the pod; absent for templates, where kubectl shows nothing. */
export type FieldResolver = (fieldPath: string) => string;

function writeEnv(w: DescribeWriter, c: Container, resolve: FieldResolver | undefined): void {
  w.write(2, c.env.length === 0 ? 'Environment:\t<none>\n' : 'Environment:\n');
  for (const e of c.env) writeEnvVar(w, c, e, resolve);
}

/** `Environment Variables from:`, one line per source: names only, never a value. */
function writeEnvFrom(w: DescribeWriter, c: Container): void {
  w.write(2, 'Environment Variables from:\n');
  for (const e of c.envFrom ?? []) {
    const ref = e.configMapRef ?? e.secretRef;
    const kind = e.configMapRef !== undefined ? 'ConfigMap' : e.secretRef !== undefined ? 'Secret' : '';
    const from = e.prefix === undefined || e.prefix === '' ? kind : `${kind} with prefix '${e.prefix}'`;
    w.write(3, `${ref?.name ?? ''}\t${from}\tOptional: ${ref?.optional === true}\n`);
  }
}

function writeEnvVar(w: DescribeWriter, c: Container, e: EnvVar, resolve: FieldResolver | undefined): void {
  const from = e.valueFrom;
  if (from === undefined) {
    (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    return;
  }
  if (from.fieldRef !== undefined) {
    const value = resolve?.(from.fieldRef.fieldPath) ?? '';
    w.write(3, `${e.name}:\t${value} (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
  } else if (from.resourceFieldRef !== undefined) {
    const resource = from.resourceFieldRef.resource;
    const [kind, name] = resource.split('.', 2);
    const set = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
    let value = (name === undefined ? undefined : set?.[name]) ?? '0';
    if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) value = 'node allocatable';
    w.write(3, `${e.name}:\t${value} (${resource})\n`);
  } else if (from.secretKeyRef !== undefined) {
    const r = from.secretKeyRef;
    w.write(3, `${e.name}:\t<set to the key '${r.key}' in secret '${r.name}'>\tOptional: ${r.optional === true}\n`);
  } else if (from.configMapKeyRef !== undefined) {
    const r = from.configMapKeyRef;
    w.write(3, `${e.name}:\t<set to the key '${r.key}' of config map '${r.name}'>\tOptional: ${r.optional === true}\n`);
  }
}

function writeMounts(w: DescribeWriter, c: Container): void {
  const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => byKey(a.mountPath, b.mountPath));
  w.write(2, mounts.length === 0 ? 'Mounts:\t<none>\n' : 'Mounts:\n');
  for (const m of mounts) {
    const flags = [m.readOnly === true ? 'ro' : 'rw'];
    if (m.subPath !== undefined && m.subPath !== '') flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
}

function writeResources(w: DescribeWriter, c: Container, level: number): void {
  for (const [title, set] of [
    ['Limits', c.resources?.limits],
    ['Requests', c.resources?.requests],
  ] as const) {
    const names = Object.keys(set ?? {}).sort(byKey);
    if (names.length > 0) w.write(level, `${title}:\n`);
    for (const n of names) w.write(level + 1, `${n}:\t${set?.[n] ?? ''}\n`);
  }
}

function writeState(w: DescribeWriter, name: string, state: ContainerState | undefined): void {
  if (state?.running !== undefined) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting !== undefined) {
    w.write(2, `${name}:\tWaiting\n`);
    if (state.waiting.reason !== '') w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated !== undefined) {
    const t = state.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason !== '') w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message !== undefined && t.message !== '') w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if (t.signal !== undefined && t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${name}:\tWaiting\n`);
  }
}

/**
 * describeContainers. `space` is '' for a pod and '  ' inside a Pod Template;
 * statuses are given only for a pod.
 */
export function writeContainers(
  w: DescribeWriter,
  label: string,
  containers: Container[],
  statuses: ContainerStatus[] | undefined,
  space: string,
  resolve?: FieldResolver,
): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  w.write(0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    w.write(1, `${space === '' ? '' : ' '}${c.name}:\n`);
    // Local processes have no runtime container or image digest to show.
    if (status !== undefined) w.write(2, 'Container ID:\t\n');
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (status !== undefined) w.write(2, 'Image ID:\t\n');
    w.write(2, 'Port:\t<none>\n');
    w.write(2, 'Host Port:\t<none>\n');
    if (c.command.length > 0) {
      w.write(2, 'Command:\n');
      for (const arg of c.command) for (const s of arg.split('\n')) w.write(3, `${s}\n`);
    }
    if (c.args.length > 0) {
      w.write(2, 'Args:\n');
      for (const arg of c.args) for (const s of arg.split('\n')) w.write(3, `${s}\n`);
    }
    if (status !== undefined) {
      writeState(w, 'State', status.state);
      if (status.lastState?.terminated !== undefined) writeState(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${status.restartCount}\n`);
    }
    writeResources(w, c, 2);
    if ((c.envFrom ?? []).length > 0) writeEnvFrom(w, c);
    writeEnv(w, c, resolve);
    writeMounts(w, c);
  }
}

export function writeVolumes(w: DescribeWriter, volumes: Volume[] | undefined, space: string): void {
  if (volumes === undefined || volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space === '' ? '' : ' '}${v.name}:\n`);
    if (v.emptyDir !== undefined) {
      const size = v.emptyDir.sizeLimit !== undefined && v.emptyDir.sizeLimit !== '' && v.emptyDir.sizeLimit !== '0' ? v.emptyDir.sizeLimit : '<unset>';
      w.write(
        2,
        "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n" +
          `    Medium:\t${v.emptyDir.medium ?? ''}\n` +
          `    SizeLimit:\t${size}\n`,
      );
    } else {
      w.write(1, '<unknown>\n');
    }
  }
}

/** DescribeEvents: `Events:  <none>`, or a table of its own, oldest first. */
export function writeEvents(w: DescribeWriter, events: KubeEvent[], now: number): void {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sortEvents(events)) {
    const first = age(e.firstTimestamp, now);
    const interval = e.count > 1 ? `${age(e.lastTimestamp, now)} (x${e.count} over ${first})` : first;
    w.write(1, `${e.type}\t${e.reason}\t${interval}\t${e.source}\t${e.message.trim()}\n`);
  }
}
