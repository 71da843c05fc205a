// spec.successPolicy (Indexed Jobs): the Job succeeds early once a rule is met
// by the set of succeeded indexes.
import type { SuccessPolicy } from '../api/types.js';
import { countIndexes, countOverlap, parseIntervals, type Intervals } from './intervals.js';

/** The condition message when a rule matched, else undefined. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: Intervals,
): string | undefined {
  if (policy === undefined || succeeded.length === 0) return undefined;
  for (const [i, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      const contained = countOverlap(required, succeeded);
      const met = rule.succeededCount === undefined ? contained === countIndexes(required) : contained >= rule.succeededCount;
      if (met) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount !== undefined && countIndexes(succeeded) >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
