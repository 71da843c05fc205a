import type { Container, PodSpec } from '../api/types.js';
import { parseQuantity } from '../api/quantity.js';

// What a pod asks of its node, computed as the scheduler computes it: the
// admission of pods is decided on these numbers alone, never on actual use.

/** CPU in millicores and memory in bytes, both whole numbers as Kubernetes rounds them (up). */
export interface Resources {
  milliCpu: number;
  memory: number;
}

export const NO_RESOURCES: Resources = { milliCpu: 0, memory: 0 };

// A float product such as 0.2 × 1000 lands a hair above 200; rounding up must not turn that into 201.
const EPSILON = 1e-6;

function quantity(q: string | undefined, scale: number): number {
  if (q === undefined) return 0;
  const v = parseQuantity(q);
  if (v === undefined || !Number.isFinite(v) || v <= 0) return 0;
  return Math.ceil(v * scale - EPSILON);
}

/**
 * One container's requests. A resource with a limit and no request requests
 * its limit, as the API server defaults it.
 */
export function containerRequests(c: Container): Resources {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  return {
    milliCpu: quantity(requests.cpu ?? limits.cpu, 1000),
    memory: quantity(requests.memory ?? limits.memory, 1),
  };
}

function add(a: Resources, b: Resources): Resources {
  return { milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory };
}

function max(a: Resources, b: Resources): Resources {
  return { milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory) };
}

/**
 * The pod's effective request, per resource: the larger of what runs at the
 * end (the containers plus every sidecar) and what runs at the peak of the
 * init phase (each init container plus the sidecars started before it).
 */
export function podRequests(spec: Pick<PodSpec, 'containers' | 'initContainers'>): Resources {
  let total = spec.containers.map(containerRequests).reduce(add, NO_RESOURCES);
  let sidecars = NO_RESOURCES;
  let initPeak = NO_RESOURCES;
  for (const c of spec.initContainers) {
    const own = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running next to the containers, and next to the init containers after it.
      total = add(total, own);
      sidecars = add(sidecars, own);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(own, sidecars));
    }
  }
  return max(total, initPeak);
}

export function isZero(r: Resources): boolean {
  return r.milliCpu === 0 && r.memory === 0;
}
