// The `gitjobs.io/rlimits` pod template annotation: process resource limits
// (setrlimit) for every container of the pod. Kubernetes has no field for
// them, so they travel in an annotation, written as `prlimit(1)` names them.
// Pure: the manifest validator and the executor read it the same way.

import { parseQuantity } from '../api/quantity.js';
import { GITJOBS_ANNOTATION_PREFIX } from '../api/types.js';

export const RLIMITS_ANNOTATION = `${GITJOBS_ANNOTATION_PREFIX}rlimits`;

type Unit = 'bytes' | 'count' | 'seconds' | 'microseconds';

/** The limits a pod may lower, with what their value counts. Priorities (nice, rtprio) are not limits and are left out. */
const LIMITS: Readonly<Record<string, Unit>> = {
  as: 'bytes',
  core: 'bytes',
  cpu: 'seconds',
  data: 'bytes',
  fsize: 'bytes',
  locks: 'count',
  memlock: 'bytes',
  msgqueue: 'bytes',
  nofile: 'count',
  nproc: 'count',
  rss: 'bytes',
  rttime: 'microseconds',
  sigpending: 'count',
  stack: 'bytes',
};

export const RLIMIT_NAMES: readonly string[] = Object.keys(LIMITS).sort();

const Ki = 1024;
const Mi = 1024 * Ki;
const Gi = 1024 * Mi;

interface Bound {
  below: number;
  why: string;
}

/**
 * Below these a plain `sh -c` cannot run at all (measured with `prlimit … sh -c`):
 * the container could never do anything, so the manifest is refused.
 */
const FLOORS: Readonly<Record<string, Bound>> = {
  nofile: { below: 8, why: 'with 3 a shell cannot load its libraries, with 4 it cannot open a pipe' },
  as: { below: 8 * Mi, why: 'with 2Mi a shell cannot map its libraries, with 4Mi the programs it starts cannot' },
  data: { below: 256 * Ki, why: 'with 64Ki a shell cannot map its libraries' },
  stack: { below: 64 * Ki, why: 'with 16Ki a shell crashes at start (SIGSEGV)' },
  nproc: { below: 4, why: 'the limit counts every process and thread of the pod user, and with 1 a shell cannot fork' },
};

/** Below these Node.js cannot run (measured): allowed, with a warning. */
const NODE_FLOORS: Readonly<Record<string, Bound>> = {
  as: { below: 1 * Gi, why: 'Node.js dies at start under 1Gi of address space ("Fatal process OOM", exit 133)' },
  nofile: { below: 128, why: 'Node.js crashes at start with 16 descriptors (SIGSEGV) and gets EMFILE after 46 opens with 64' },
  nproc: { below: 16, why: 'threads count too, and Node.js hangs at start with 5 or fewer' },
};

export interface Rlimit {
  name: string;
  value: number;
}

export interface ParsedRlimits {
  limits: Rlimit[];
  /** Each makes the annotation invalid. */
  errors: string[];
  /** Allowed, but worth saying. */
  warnings: string[];
}

const EXAMPLE = 'nofile=1024,nproc=256,as=2Gi';
/** A Kubernetes quantity as a whole number of bytes; undefined when it is not one (no `m`, no exponent, no sign). */
function bytes(v: string): number | undefined {
  if (!/^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(v)) return undefined;
  const n = parseQuantity(v);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

function count(v: string): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

const UNIT_TEXT: Readonly<Record<Unit, string>> = {
  bytes: 'a whole number of bytes as a quantity (e.g. 100Mi, 2Gi, 4096)',
  count: 'a whole number',
  seconds: 'a whole number of seconds',
  microseconds: 'a whole number of microseconds',
};

/** Reads `name=value,name=value`. Every problem is reported, not just the first. */
export function parseRlimits(text: string): ParsedRlimits {
  const out: ParsedRlimits = { limits: [], errors: [], warnings: [] };
  if (text.trim() === '') {
    out.errors.push(`must be a comma-separated list of NAME=VALUE, e.g. "${EXAMPLE}"`);
    return out;
  }
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) {
      out.errors.push(`${JSON.stringify(item)}: must be NAME=VALUE, e.g. "${EXAMPLE}"`);
      continue;
    }
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const unit = Object.hasOwn(LIMITS, name) ? LIMITS[name] : undefined;
    if (unit === undefined) {
      out.errors.push(`${JSON.stringify(name)}: unknown limit; supported: ${RLIMIT_NAMES.join(', ')}`);
      continue;
    }
    if (seen.has(name)) {
      out.errors.push(`${name}: given more than once`);
      continue;
    }
    seen.add(name);
    const n = unit === 'bytes' ? bytes(value) : count(value);
    if (n === undefined) {
      out.errors.push(`${name}=${value}: must be ${UNIT_TEXT[unit]}`);
      continue;
    }
    const floor = FLOORS[name];
    if (floor !== undefined && n < floor.below) {
      out.errors.push(`${name}=${value}: too low for any container to start (${floor.why}); use at least ${show(name, floor.below)}`);
      continue;
    }
    const node = NODE_FLOORS[name];
    if (node !== undefined && n < node.below) {
      out.warnings.push(`${name}=${value}: not for Node.js pods: ${node.why}`);
    }
    out.limits.push({ name, value: n });
  }
  return out;
}

function show(name: string, n: number): string {
  if (LIMITS[name] !== 'bytes') return String(n);
  if (n % Gi === 0) return `${n / Gi}Gi`;
  if (n % Mi === 0) return `${n / Mi}Mi`;
  if (n % Ki === 0) return `${n / Ki}Ki`;
  return String(n);
}
