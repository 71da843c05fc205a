import type { JobSpec } from '../api/types.js';
import { parseIndexes } from './indexes.js';
import { duplicate, goQuotedList, invalid, nonNegative, notSupported, required, tooLong, tooMany } from './messages.js';
import { qualifiedName } from '../api/names.js';
import { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';

const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_POD_CONDITIONS = 20;
const MAX_SUCCEEDED_INDEXES_BYTES = 65536;
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];

export function validatePodFailurePolicy(spec: JobSpec, r: Reporter): void {
  const policy = spec.podFailurePolicy;
  if (policy === undefined) return;
  const rulesPath = FieldPath.of('spec', 'podFailurePolicy', 'rules');
  if (policy.rules.length > MAX_RULES) r.error('FieldInvalid', rulesPath, tooMany(policy.rules.length, MAX_RULES));
  const containers = new Set([...spec.template.spec.containers, ...spec.template.spec.initContainers].map((c) => c.name));

  policy.rules.forEach((rule, i) => {
    const p = rulesPath.index(i);
    const action: string = rule.action ?? '';
    if (action === '') r.error('FieldRequired', p.child('action'), required(`valid values: ${goQuotedList(ACTIONS)}`));
    else if (!ACTIONS.includes(action)) r.error('FieldInvalid', p.child('action'), notSupported(action, ACTIONS));
    else if (action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) {
      r.error('FieldInvalid', p.child('action'), invalid(action, 'requires the backoffLimitPerIndex to be set'));
    }

    const exit = rule.onExitCodes;
    const conditions = rule.onPodConditions;
    if (exit !== undefined && conditions !== undefined) {
      r.error('FieldInvalid', p, 'Invalid value: specifying both OnExitCodes and OnPodConditions is not supported');
    } else if (exit === undefined && (conditions === undefined || conditions.length === 0)) {
      r.error('FieldInvalid', p, 'Invalid value: specifying one of OnExitCodes and OnPodConditions is required');
    }

    if (exit !== undefined) {
      const ep = p.child('onExitCodes');
      const operator: string = exit.operator ?? '';
      if (operator === '') r.error('FieldRequired', ep.child('operator'), required(`valid values: ${goQuotedList(OPERATORS)}`));
      else if (!OPERATORS.includes(operator)) r.error('FieldInvalid', ep.child('operator'), notSupported(operator, OPERATORS));
      if (exit.containerName !== undefined && !containers.has(exit.containerName)) {
        r.error(
          'FieldInvalid',
          ep.child('containerName'),
          invalid(exit.containerName, 'must be one of the container or initContainer names in the pod template'),
        );
      }
      const values = exit.values ?? [];
      const vp = ep.child('values');
      if (values.length === 0) r.error('FieldInvalid', vp, invalid([], 'at least one value is required'));
      else if (values.length > MAX_EXIT_CODES) r.error('FieldInvalid', vp, tooMany(values.length, MAX_EXIT_CODES));
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (operator === 'In' && v === 0) r.error('FieldInvalid', vp.index(j), invalid(0, 'must not be 0 for the In operator'));
        if (seen.has(v)) r.error('FieldDuplicate', vp.index(j), duplicate(v));
        const prev = values[j - 1];
        if (prev !== undefined && prev > v) ordered = false;
        seen.add(v);
      });
      if (!ordered) r.error('FieldInvalid', vp, invalid(values, 'must be ordered'));
    }

    if (conditions !== undefined) {
      const cp = p.child('onPodConditions');
      if (conditions.length > MAX_POD_CONDITIONS) r.error('FieldInvalid', cp, tooMany(conditions.length, MAX_POD_CONDITIONS));
      conditions.forEach((c, j) => {
        const typePath = cp.index(j).child('type');
        if (c.type === '') r.error('FieldRequired', typePath, required());
        else for (const m of qualifiedName(c.type)) r.error('FieldInvalid', typePath, invalid(c.type, m));
        const status: string = c.status;
        if (!CONDITION_STATUSES.includes(status)) r.error('FieldInvalid', cp.index(j).child('status'), notSupported(status, CONDITION_STATUSES));
      });
    }
  });
}

export function validateSuccessPolicy(spec: JobSpec, r: Reporter): void {
  const policy = spec.successPolicy;
  if (policy === undefined) return;
  const path = FieldPath.of('spec', 'successPolicy');
  if (spec.completionMode !== 'Indexed') {
    r.error('FieldInvalid', path, invalid(policy, 'requires indexed completion mode'));
    return;
  }
  const rulesPath = path.child('rules');
  if (policy.rules.length === 0) {
    r.error('FieldRequired', rulesPath, required('at least one rules must be specified when the successPolicy is specified'));
  } else if (policy.rules.length > MAX_RULES) {
    r.error('FieldInvalid', rulesPath, tooMany(policy.rules.length, MAX_RULES));
  }
  const completions = spec.completions ?? 0;
  policy.rules.forEach((rule, i) => {
    const p = rulesPath.index(i);
    if (rule.succeededIndexes === undefined && rule.succeededCount === undefined) {
      r.error('FieldRequired', p, required('at least one of succeededCount or succeededIndexes must be specified'));
      return;
    }
    let indexCount: number | undefined;
    if (rule.succeededIndexes !== undefined) {
      const ip = p.child('succeededIndexes');
      if (Buffer.byteLength(rule.succeededIndexes) > MAX_SUCCEEDED_INDEXES_BYTES) {
        r.error('FieldInvalid', ip, tooLong(MAX_SUCCEEDED_INDEXES_BYTES));
      } else {
        const parsed = parseIndexes(rule.succeededIndexes, completions);
        if (parsed.ok) indexCount = parsed.count;
        else r.error('FieldInvalid', ip, invalid(rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`));
      }
    }
    const count = rule.succeededCount;
    if (count === undefined) return;
    const cp = p.child('succeededCount');
    if (count < 0) r.error('FieldInvalid', cp, nonNegative(count));
    else if (count > completions) {
      r.error('FieldInvalid', cp, invalid(count, `must be less than or equal to ${completions} (the number of specified completions)`));
    } else if (indexCount !== undefined && count > indexCount) {
      r.error(
        'FieldInvalid',
        cp,
        invalid(count, `must be less than or equal to ${indexCount} (the number of indexes in the specified succeededIndexes field)`),
      );
    }
  });
}
