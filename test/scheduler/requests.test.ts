import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/api/types.js';
import { podRequests, type Resources } from '../../src/scheduler/requests.js';

const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>, sidecar = false): Container => ({
  name,
  command: ['true'],
  args: [],
  env: [],
  ...(requests === undefined && limits === undefined ? {} : { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } }),
  ...(sidecar ? { restartPolicy: 'Always' as const } : {}),
});

const Mi = 2 ** 20;

describe("a pod's effective request, as the scheduler computes it", () => {
  const cases: Record<string, { containers: Container[]; init?: Container[]; want: Resources }> = {
    'a pod that requests nothing requests zero': { containers: [c('a')], want: { milliCpu: 0, memory: 0 } },
    'requests of the containers add up': {
      containers: [c('a', { cpu: '250m', memory: '64Mi' }), c('b', { cpu: '1', memory: '1Mi' })],
      want: { milliCpu: 1250, memory: 65 * Mi },
    },
    'a limit without a request is the request': { containers: [c('a', undefined, { cpu: '2', memory: '1Gi' })], want: { milliCpu: 2000, memory: 1024 * Mi } },
    'a request below its limit wins over the limit': { containers: [c('a', { cpu: '100m' }, { cpu: '2' })], want: { milliCpu: 100, memory: 0 } },
    'a limit fills in only the resource that has no request': {
      containers: [c('a', { cpu: '100m' }, { cpu: '2', memory: '32Mi' })],
      want: { milliCpu: 100, memory: 32 * Mi },
    },
    'decimal cores are exact in millicores (0.2 is 200m, not 201m)': { containers: [c('a', { cpu: '0.2' })], want: { milliCpu: 200, memory: 0 } },
    'a fraction of a millicore rounds up, as Kubernetes rounds quantities': { containers: [c('a', { cpu: '0.0001' })], want: { milliCpu: 1, memory: 0 } },
    'an init container larger than the containers sets the request': {
      containers: [c('a', { cpu: '500m', memory: '10Mi' })],
      init: [c('i', { cpu: '2', memory: '1Mi' })],
      want: { milliCpu: 2000, memory: 10 * Mi },
    },
    'init containers run one at a time: the largest counts, not their sum': {
      containers: [c('a')],
      init: [c('i1', { cpu: '1' }), c('i2', { cpu: '1500m' })],
      want: { milliCpu: 1500, memory: 0 },
    },
    'a sidecar adds to the containers': {
      containers: [c('a', { cpu: '1' })],
      init: [c('s', { cpu: '500m' }, undefined, true)],
      want: { milliCpu: 1500, memory: 0 },
    },
    'an init container after a sidecar runs next to it': {
      containers: [c('a', { cpu: '100m' })],
      init: [c('s', { cpu: '500m' }, undefined, true), c('i', { cpu: '2' })],
      want: { milliCpu: 2500, memory: 0 },
    },
    'an init container before a sidecar does not run next to it': {
      containers: [c('a', { cpu: '100m' })],
      init: [c('i', { cpu: '2' }), c('s', { cpu: '500m' }, undefined, true)],
      want: { milliCpu: 2000, memory: 0 },
    },
    'a malformed quantity counts as nothing rather than blocking the pod': { containers: [c('a', { cpu: 'lots' })], want: { milliCpu: 0, memory: 0 } },
  };
  for (const [name, t] of Object.entries(cases)) {
    it(name, () => expect(podRequests({ containers: t.containers, initContainers: t.init ?? [] })).toEqual(t.want));
  }
});
