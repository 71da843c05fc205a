import type { Pod, PodStatus } from '../api/types.js';
import { existingRunRecords } from './logs/paths.js';
import { containerStarted, statusOf } from './pod/status.js';
import type { ContainerTermination } from '../store/pods.js';
import type { ContainerRunner } from './runtime/container-runner.js';
import { containerExited, type PodInput } from './pod/lifecycle.js';
import { applyOutcome, waitBackOff, type ContainerRun, type PodRuntime } from './pod-runtime.js';
import { isSameProcessAlive } from './runtime/process.js';
import { readExitCode, readSupervisor, spawnedAt } from './runtime/run-records.js';

// What a restarted daemon finds of a live pod: its row, read against the
// records its container runs left, and how the kubelet takes its runs back.

/** A container of the pod that has not ended for good, as found. */
export type FoundContainer =
  /** Waiting between runs; `retry` when a restart (or a config retry) is due. */
  | { name: string; kind: 'waiting'; retry: boolean }
  /** Its run ended while no daemon watched (an exit record), or was lost with its supervisor. */
  | { name: string; kind: 'ended'; run: ContainerRun }
  /** Still running under its supervisor, which is no longer anybody's child. */
  | { name: string; kind: 'running'; run: ContainerRun };

export interface FoundPod {
  /** Nothing of it ever ran: it starts as a new pod would. */
  fresh: boolean;
  /** The pod's status, with the container starts its row missed. */
  status: PodStatus;
  /** The status differs from the row. */
  changed: boolean;
  containers: FoundContainer[];
}

export function findPod(stateDir: string, pod: Pod, withCgroups: boolean): FoundPod {
  const all = [...pod.spec.initContainers, ...pod.spec.containers];
  const anyRan = all.some((c) => {
    const cs = statusOf(pod.status, c.name);
    return cs?.started === true || cs?.state.terminated !== undefined || cs?.lastState !== undefined;
  });
  const spawned = anyRan ? [] : firstRunsSpawned(stateDir, pod);
  let status = pod.status;
  for (const s of spawned) status = containerStarted(status, s.name, s.at, 0);
  const containers: FoundContainer[] = [];
  for (const c of all) {
    const cs = statusOf(status, c.name);
    if (cs === undefined || cs.state.terminated !== undefined) continue;
    if (cs.state.waiting !== undefined) {
      // A restart held back by a config error is tried again too; a first start is the kubelet's as for any pod.
      const retry = cs.state.waiting.reason === 'CrashLoopBackOff' || (cs.state.waiting.reason === 'CreateContainerConfigError' && cs.lastState !== undefined);
      containers.push({ name: c.name, kind: 'waiting', retry });
      continue;
    }
    const attempt = cs.restartCount;
    const records = existingRunRecords(stateDir, pod, c.name, attempt);
    const sup = readSupervisor(records);
    const run: ContainerRun = { attempt, records, pid: sup?.pid ?? 0, startTime: sup?.startTime, signalled: false };
    if (withCgroups) run.leaf = `${c.name}.${attempt}`;
    const ended = readExitCode(records) !== undefined || sup === undefined || !isSameProcessAlive(sup.pid, sup.startTime);
    containers.push({ name: c.name, kind: ended ? 'ended' : 'running', run });
  }
  return { fresh: !anyRan && spawned.length === 0, status, changed: spawned.length > 0, containers };
}

/**
 * The containers whose first run left a record, and when: a daemon killed
 * between spawning a container and recording it leaves the supervisor's own
 * records behind, and that container did start and must not start twice.
 */
export function firstRunsSpawned(stateDir: string, pod: Pod): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
    const at = spawnedAt(existingRunRecords(stateDir, pod, c.name, 0));
    if (at !== undefined) out.push({ name: c.name, at });
  }
  return out;
}

/**
 * Acts on what was found: running runs are followed again, ends found are
 * applied (recorded by the caller, with the status it writes), restarts wait
 * out the back-off base again. The pod's status once every end is applied.
 */
export function recoverRuns(
  pod: Pod,
  found: FoundPod,
  rt: PodRuntime,
  runner: Pick<ContainerRunner, 'collect' | 'reattach'>,
  input: (pod: Pod) => PodInput,
  backoffBaseMs: number,
): { status: PodStatus; ends: ContainerTermination[] } {
  let status = found.status;
  const ends: ContainerTermination[] = [];
  for (const f of found.containers) {
    if (f.kind === 'waiting') {
      if (pod.deletionTimestamp === undefined && f.retry) waitBackOff(rt, f.name, backoffBaseMs, (statusOf(status, f.name)?.restartCount ?? 0) + 1);
    } else if (f.kind === 'ended') {
      // What it left behind goes before its end is recorded; the leaf itself with the pod.
      const t = runner.collect(pod, f.name, f.run, true);
      ends.push(t);
      status = applyOutcome(rt, f.name, containerExited(input({ ...pod, status }), f.name, t));
    } else {
      rt.runs.set(f.name, f.run);
      runner.reattach(pod, f.name, f.run);
    }
  }
  return { status, ends };
}
