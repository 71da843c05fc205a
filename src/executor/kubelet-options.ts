import type { Pod } from '../api/types.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Containment } from './containment/containment.js';
import type { NodeCapacity } from './config/resources.js';
import type { SecretSource } from './config/secrets.js';
import type { Spawner } from './runtime/spawner.js';

// What the kubelet is given by the daemon that wires it.

export interface PodContext {
  /** Where the container starts unless it sets workingDir. */
  cwd: string;
  /** Variables every container of the pod gets before its own env (after podEnvDefaults). */
  env: Record<string, string>;
}

export interface KubeletOptions {
  db: Db;
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** Container restart back-off (OnFailure): base · 2^(n−1), capped at 30 · base (10 s → 5 min as the kubelet). */
  containerBackoffBaseMs: number;
  context: (pod: Pod) => PodContext;
  /** Called after every committed change of a pod's status, with the owning Job's uid. */
  onPodChange: (pod: Pod) => void;
  /** cgroups, pod user, PID namespace, log cap; none by default. */
  containment?: Containment;
  /** Who starts container runs; in this process by default. */
  spawner?: Spawner;
  /**
   * The scheduler's say before a pod starts: the pod to start (as bound to this
   * node), or undefined while it waits; told when a pod has ended or is gone.
   * Without it every pod starts at once.
   */
  admission?: { admit(pod: Pod): Pod | undefined; release(uid: string): void };
  /** The node's capacity as the downward API reports it, where it differs from this machine's. */
  nodeCapacity?: Partial<NodeCapacity>;
  /** Where `secretKeyRef` and `envFrom.secretRef` are read from when a container starts; without it no Secret exists. */
  secrets?: SecretSource;
}
