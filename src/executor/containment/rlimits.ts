import type { Pod } from '../../api/types.js';
import { parseRlimits, RLIMITS_ANNOTATION } from '../../manifest/rlimits.js';

/**
 * `prlimit --NAME=N:N … --` for the pod's `gitjobs.io/rlimits` annotation,
 * put before the workload's argv; nothing without the annotation. Soft and
 * hard limits are the same, so the workload cannot raise them back. prlimit
 * runs after the privilege drop, so it can only lower a limit: a value above
 * the daemon's own hard limit makes prlimit fail and the container exit 1,
 * with prlimit's message in its log.
 */
export function rlimitPrefix(pod: Pod): string[] {
  const text = pod.annotations[RLIMITS_ANNOTATION];
  if (text === undefined) return [];
  // Validated when the manifest was read; whatever is invalid here is left out rather than guessed at.
  const { limits } = parseRlimits(text);
  if (limits.length === 0) return [];
  return ['prlimit', ...limits.map((l) => `--${l.name}=${l.value}:${l.value}`), '--'];
}
