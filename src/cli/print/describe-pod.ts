// `kubectl describe pod`, in kubectl's layout, for a pod that is a local process.

import { resolveFieldRef } from '../../api/fieldref.js';
import type { KubeEvent, Pod } from '../../api/types.js';
import { writeAnnotations, writeContainers, writeEvents, writeLabels, writeVolumes, type FieldResolver } from './describe-common.js';
import { DescribeWriter } from './describe-writer.js';
import { age } from './duration.js';
import { podQosClass } from './objects.js';
import { rfc1123z } from './time.js';

export interface DescribePodInput {
  pod: Pod;
  events: KubeEvent[];
  /** The host the pod runs on, shown as `Node:  <name>/<ip>`. */
  node?: { name: string; ip?: string };
}

/** The downward-API fields a container's env can refer to, as the kubelet resolves them. */
function fieldResolver(pod: Pod, node: DescribePodInput['node']): FieldResolver {
  return (path) => resolveFieldRef(pod, path, node) ?? '';
}

export function describePod(input: DescribePodInput, now: number): string {
  const { pod, events, node } = input;
  const w = new DescribeWriter();
  w.write(0, `Name:\t${pod.name}\n`);
  w.write(0, `Namespace:\t${pod.namespace}\n`);
  // The API server's priority admission gives pods without a class priority 0.
  w.write(0, 'Priority:\t0\n');
  if (pod.spec.serviceAccountName !== undefined && pod.spec.serviceAccountName !== '') {
    w.write(0, `Service Account:\t${pod.spec.serviceAccountName}\n`);
  }
  w.write(0, node === undefined ? 'Node:\t<none>\n' : `Node:\t${node.name}/${node.ip ?? ''}\n`);
  if (pod.status.startTime !== undefined) w.write(0, `Start Time:\t${rfc1123z(pod.status.startTime)}\n`);
  writeLabels(w, 'Labels', pod.labels);
  writeAnnotations(w, 'Annotations', pod.annotations);
  const terminal = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  if (pod.deletionTimestamp !== undefined && !terminal) {
    w.write(0, `Status:\tTerminating (lasts ${age(pod.deletionTimestamp, now)})\n`);
    w.write(0, `Termination Grace Period:\t${pod.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds}s\n`);
  } else {
    w.write(0, `Status:\t${pod.status.phase}\n`);
  }
  if (pod.status.reason !== undefined && pod.status.reason !== '') w.write(0, `Reason:\t${pod.status.reason}\n`);
  if (pod.status.message !== undefined && pod.status.message !== '') w.write(0, `Message:\t${pod.status.message}\n`);
  // Local processes share the host's network: a bound pod's IP is the host's, as for hostNetwork pods.
  if (node?.ip === undefined) {
    w.write(0, 'IP:\t\n');
    w.write(0, 'IPs:\t<none>\n');
  } else {
    w.write(0, `IP:\t${node.ip}\n`);
    w.write(0, 'IPs:\n');
    w.write(1, `IP:\t${node.ip}\n`);
  }
  if (pod.owner !== undefined) w.write(0, `Controlled By:\tJob/${pod.owner.name}\n`);
  const resolve = fieldResolver(pod, node);
  if (pod.spec.initContainers.length > 0) {
    writeContainers(w, 'Init Containers', pod.spec.initContainers, pod.status.initContainerStatuses, '', resolve);
  }
  writeContainers(w, 'Containers', pod.spec.containers, pod.status.containerStatuses, '', resolve);
  if (pod.status.conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of pod.status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  writeVolumes(w, pod.spec.volumes, '');
  w.write(0, `QoS Class:\t${podQosClass(pod.spec)}\n`);
  writeLabels(w, 'Node-Selectors', pod.spec.nodeSelector);
  w.write(0, 'Tolerations:\t<none>\n');
  writeEvents(w, events, now);
  return w.toString();
}
