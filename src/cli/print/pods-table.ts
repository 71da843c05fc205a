// `kubectl get pods`: NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES).

import { nodeOf } from '../../api/node.js';
import type { Container, ContainerStatus, Pod } from '../../api/types.js';
import { age, humanDuration } from './duration.js';
import { printTable, type Column, type TableOptions } from './table.js';

export type PodTableOptions = TableOptions;

export interface PodColumns {
  ready: string;
  status: string;
  restarts: string;
}

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';

function conditionTrue(pod: Pod, type: string): boolean {
  return pod.status.conditions.some((c) => c.type === type && c.status === 'True');
}

function lastTermination(c: ContainerStatus): number | undefined {
  return c.lastState?.terminated?.finishedAt;
}

/** printPod's READY, STATUS and RESTARTS, rule for rule. */
export function podColumns(pod: Pod, now: number): PodColumns {
  const initSpecs = new Map(pod.spec.initContainers.map((c) => [c.name, c]));
  const total = pod.spec.containers.length + pod.spec.initContainers.filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.max(a, b);

  let reason: string = pod.status.reason !== undefined && pod.status.reason !== '' ? pod.status.reason : pod.status.phase;

  let initializing = false;
  const inits = pod.status.initContainerStatuses;
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    if (c === undefined) continue;
    restarts += c.restartCount;
    lastRestart = later(lastRestart, lastTermination(c));
    const sidecar = isSidecar(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount;
      lastSidecarRestart = later(lastSidecarRestart, lastTermination(c));
    }
    const term = c.state.terminated;
    if (term !== undefined && term.exitCode === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (term !== undefined) {
      if (term.reason === '') {
        reason = term.signal !== undefined && term.signal !== 0 ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (c.state.waiting !== undefined && c.state.waiting.reason !== '' && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${pod.spec.initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = pod.status.containerStatuses;
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      if (c === undefined) continue;
      restarts += c.restartCount;
      lastRestart = later(lastRestart, lastTermination(c));
      const { waiting, terminated, running } = c.state;
      if (waiting !== undefined && waiting.reason !== '') {
        reason = waiting.reason;
      } else if (terminated !== undefined && terminated.reason !== '') {
        reason = terminated.reason;
      } else if (terminated !== undefined) {
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Signal:${terminated.signal}`
            : `ExitCode:${terminated.exitCode}`;
      } else if (c.ready && running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    // A container still running means the pod is not done, whatever the others say.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
  if (pod.deletionTimestamp !== undefined && pod.status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.deletionTimestamp !== undefined && !terminal) reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined && lastRestart !== 0) {
    restartsText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

/** The columns of `kubectl get pods`, also the API's server-side Table. */
export function podTableColumns(now: number): Column<Pod>[] {
  const cache = new Map<Pod, PodColumns>();
  const cols = (p: Pod): PodColumns => {
    let c = cache.get(p);
    if (c === undefined) {
      c = podColumns(p, now);
      cache.set(p, c);
    }
    return c;
  };
  return [
    { header: 'NAME', cell: (p) => p.name },
    { header: 'READY', cell: (p) => cols(p).ready },
    { header: 'STATUS', cell: (p) => cols(p).status },
    { header: 'RESTARTS', cell: (p) => cols(p).restarts },
    { header: 'AGE', cell: (p) => age(p.creationTimestamp, now) },
    // Pods are host processes: once bound they show the host's address and name, as hostNetwork pods do.
    { header: 'IP', wide: true, cell: (p) => nodeOf(p)?.ip ?? '<none>' },
    { header: 'NODE', wide: true, cell: (p) => nodeOf(p)?.name ?? '<none>' },
    { header: 'NOMINATED NODE', wide: true, cell: () => '<none>' },
    { header: 'READINESS GATES', wide: true, cell: () => '<none>' },
  ];
}

export function printPodsTable(pods: Pod[], now: number, opts: PodTableOptions = {}): string {
  return printTable(podTableColumns(now), pods, { ...opts, namespaceOf: (p) => p.namespace, labelsOf: (p) => p.labels });
}
