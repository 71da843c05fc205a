import { describe, expect, it } from 'vitest';
import { fitPod, type NodeAllocatable, type NodeUsage } from '../../src/scheduler/fit.js';
import type { Resources } from '../../src/scheduler/requests.js';

const node: NodeAllocatable = { milliCpu: 2000, memory: 1000, pods: 3 };
const NO_VICTIMS = 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..';
const NOT_HELPFUL = 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..';

describe('whether a pod fits on the node, and what the scheduler says when not', () => {
  const cases: Record<string, { request: Resources; used: NodeUsage; want: string | true }> = {
    'a pod that fits exactly is admitted': { request: { milliCpu: 1000, memory: 500 }, used: { milliCpu: 1000, memory: 500, pods: 2 }, want: true },
    'one millicore too many is Insufficient cpu': {
      request: { milliCpu: 1001, memory: 0 },
      used: { milliCpu: 1000, memory: 0, pods: 1 },
      want: `0/1 nodes are available: 1 Insufficient cpu. ${NO_VICTIMS}`,
    },
    'every short resource is named, sorted': {
      request: { milliCpu: 1500, memory: 600 },
      used: { milliCpu: 1000, memory: 500, pods: 3 },
      want: `0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods. ${NO_VICTIMS}`,
    },
    'a pod that requests nothing fits however full the node is': { request: { milliCpu: 0, memory: 0 }, used: { milliCpu: 5000, memory: 5000, pods: 2 }, want: true },
    'a pod that requests nothing still counts against the pod limit': {
      request: { milliCpu: 0, memory: 0 },
      used: { milliCpu: 0, memory: 0, pods: 3 },
      want: `0/1 nodes are available: 1 Too many pods. ${NO_VICTIMS}`,
    },
    'a pod larger than the whole node: preemption is not helpful': {
      request: { milliCpu: 3000, memory: 0 },
      used: { milliCpu: 0, memory: 0, pods: 0 },
      want: `0/1 nodes are available: 1 Insufficient cpu. ${NOT_HELPFUL}`,
    },
    'more memory than the node has, even with cpu to spare': {
      request: { milliCpu: 100, memory: 1001 },
      used: { milliCpu: 0, memory: 0, pods: 0 },
      want: `0/1 nodes are available: 1 Insufficient memory. ${NOT_HELPFUL}`,
    },
  };
  for (const [name, t] of Object.entries(cases)) {
    it(name, () => {
      const r = fitPod(t.request, t.used, node);
      expect(r.fits ? true : r.message).toBe(t.want);
    });
  }
});
