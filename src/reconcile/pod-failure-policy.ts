// spec.podFailurePolicy: the first rule matching a failed pod decides whether
// the failure counts, is ignored, fails the index or fails the whole Job.
import type {
  ContainerStatus,
  Pod,
  PodCondition,
  PodFailurePolicy,
  PodFailurePolicyAction,
  PodFailurePolicyRule,
} from '../api/types.js';

export interface PolicyMatch {
  /** undefined when no rule matched (the failure then counts). */
  action?: PodFailurePolicyAction;
  /** Whether the failure adds to status.failed and the index's failure count. */
  countFailed: boolean;
  /** Set for FailJob: the condition message. */
  failJobMessage?: string;
}

const NO_MATCH: PolicyMatch = { countFailed: true };

function exitCodeMatches(code: number, rule: NonNullable<PodFailurePolicyRule['onExitCodes']>): boolean {
  const listed = rule.values.includes(code);
  return rule.operator === 'In' ? listed : !listed;
}

function matchingContainer(
  statuses: readonly ContainerStatus[],
  rule: NonNullable<PodFailurePolicyRule['onExitCodes']>,
): ContainerStatus | undefined {
  return statuses.find((c) => {
    const t = c.state.terminated;
    // Still running or exited cleanly: no failure exit code to match.
    if (t === undefined || t.exitCode === 0) return false;
    if (rule.containerName !== undefined && rule.containerName !== c.name) return false;
    return exitCodeMatches(t.exitCode, rule);
  });
}

function matchingCondition(pod: Pod, rule: PodFailurePolicyRule): PodCondition | undefined {
  const patterns = rule.onPodConditions ?? [];
  return pod.status.conditions.find((c) => patterns.some((p) => p.type === c.type && p.status === c.status));
}

export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PolicyMatch {
  if (policy === undefined) return NO_MATCH;
  for (const [i, rule] of policy.rules.entries()) {
    let describe: (() => string) | undefined;
    if (rule.onExitCodes !== undefined) {
      const req = rule.onExitCodes;
      const c = matchingContainer(pod.status.containerStatuses, req) ?? matchingContainer(pod.status.initContainerStatuses, req);
      if (c !== undefined) {
        const code = c.state.terminated?.exitCode ?? 0;
        describe = () =>
          `Container ${c.name} for pod ${pod.namespace}/${pod.name} failed with exit code ${code} matching ${rule.action} rule at index ${i}`;
      }
    } else if (rule.onPodConditions !== undefined) {
      const cond = matchingCondition(pod, rule);
      if (cond !== undefined) {
        describe = () => `Pod ${pod.namespace}/${pod.name} has condition ${cond.type} matching ${rule.action} rule at index ${i}`;
      }
    }
    if (describe === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', countFailed: false };
      case 'Count':
        return { action: 'Count', countFailed: true };
      case 'FailIndex':
        return { action: 'FailIndex', countFailed: true };
      case 'FailJob':
        return { action: 'FailJob', countFailed: true, failJobMessage: describe() };
    }
  }
  return NO_MATCH;
}
