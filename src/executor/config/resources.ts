import { cpus, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import { parseQuantity } from '../../api/quantity.js';
import type { Container } from '../../api/types.js';

// `env[].valueFrom.resourceFieldRef`, resolved as the kubelet resolves it: a
// container's own limit or request, and for a limit that is not set, what the
// node can give (this machine's CPUs, memory and root file system).

export interface NodeCapacity {
  cpu: number;
  memory: number;
  'ephemeral-storage': number;
}

export function localCapacity(dir: string): NodeCapacity {
  let storage = 0;
  try {
    const s = statfsSync(dir);
    storage = s.blocks * s.bsize;
  } catch {
    // unknown: reported as 0
  }
  return { cpu: cpus().length, memory: totalmem(), 'ephemeral-storage': storage };
}

/**
 * `limits.cpu`, `requests.memory`, ...: the value divided by the divisor (1 by
 * default), rounded up, as the downward API gives it.
 */
export function resolveResourceField(c: Container, resource: string, divisor: string | undefined, node: NodeCapacity): string | undefined {
  const [kind, name] = resource.split('.') as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || name === undefined || !(name in node)) return undefined;
  const written = c.resources?.[kind]?.[name];
  let value = written === undefined ? undefined : parseQuantity(written);
  if (value === undefined) {
    // An unset request is 0; an unset limit is what the node has.
    value = kind === 'requests' ? 0 : node[name as keyof NodeCapacity];
  }
  const div = divisor === undefined || divisor === '' ? 1 : parseQuantity(divisor);
  if (div === undefined || div <= 0) return undefined;
  return String(Math.ceil(value / div - 1e-9));
}
