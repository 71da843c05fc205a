import { invalid } from './messages.js';
import type { FieldPath } from './path.js';
import type { Reporter } from './reporter.js';
import { parseRlimits, RLIMITS_ANNOTATION } from './rlimits.js';

/** `gitjobs.io/rlimits` on the pod template: each bad entry an error, each value too low for Node.js a warning. */
export function validateRlimits(annotations: Record<string, string>, path: FieldPath, r: Reporter): void {
  if (!Object.hasOwn(annotations, RLIMITS_ANNOTATION)) return;
  const value = annotations[RLIMITS_ANNOTATION] ?? '';
  const p = path.key(RLIMITS_ANNOTATION);
  const parsed = parseRlimits(value);
  for (const m of parsed.errors) r.error('FieldInvalid', p, invalid(value, m));
  for (const m of parsed.warnings) r.warn('FieldInvalid', p, m);
}
