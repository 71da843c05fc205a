import { describe, expect, it } from 'vitest';
import { containerArgv, containerEnv, expandVars } from '../../../src/executor/config/env.js';
import type { Container, Pod } from '../../../src/api/types.js';

describe('$(VAR) expansion as Kubernetes does it', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y z' };
  const cases: Record<string, [string, string]> = {
    'a defined reference is replaced': ['echo $(A)', 'echo x'],
    'two references': ['$(A)-$(B)', 'x-y z'],
    'an undefined reference is left as written': ['$(NOPE)', '$(NOPE)'],
    '$$ escapes a reference': ['$$(A)', '$(A)'],
    'a lone dollar stays': ['cost $5', 'cost $5'],
    'an unterminated reference stays': ['$(A', '$(A'],
    'shell syntax is untouched': ['${A} $A', '${A} $A'],
  };
  for (const [name, [input, want]] of Object.entries(cases)) {
    it(name, () => expect(expandVars(input, (n) => vars[n])).toBe(want));
  }
});

describe('container environment', () => {
  const pod = { uid: 'u1', namespace: 'default', name: 'pi-abcde', labels: { 'job-name': 'pi' }, annotations: {}, spec: {} } as unknown as Pod;
  const container: Container = {
    name: 'c',
    command: ['echo', '$(GREETING)'],
    args: ['$(POD)'],
    env: [
      { name: 'WHO', value: 'world' },
      { name: 'GREETING', value: 'hello $(WHO)' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'JOB', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } },
    ],
  };

  it('variables refer to earlier ones and field references resolve; the base comes first', () => {
    const env = containerEnv({ pod, container, base: { PATH: '/bin', WHO: 'base' } });
    expect(env).toEqual({ PATH: '/bin', WHO: 'world', GREETING: 'hello world', POD: 'pi-abcde', JOB: 'pi' });
  });

  it('command and args expand against the container environment', () => {
    const env = containerEnv({ pod, container, base: {} });
    expect(containerArgv(container, env)).toEqual(['echo', 'hello world', 'pi-abcde']);
  });
});

describe('env from the node and from objects gitjobs does not have', () => {
  const node = { name: 'laptop', ip: '127.0.0.1', capacity: { cpu: 8, memory: 16 * 2 ** 30, 'ephemeral-storage': 100e9 } };
  const pod = { uid: 'u1', namespace: 'default', name: 'p', labels: {}, annotations: {}, spec: { containers: [], initContainers: [] } } as unknown as Pod;
  const container = (env: Container['env'], resources?: Container['resources']): Container => ({
    name: 'c',
    command: ['true'],
    args: [],
    env,
    ...(resources === undefined ? {} : { resources }),
  });
  const cases: Record<string, { c: Container; want: Record<string, string> }> = {
    'spec.nodeName is this machine': { c: container([{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]), want: { N: 'laptop' } },
    "the pod's address is the host's": { c: container([{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]), want: { IP: '127.0.0.1' } },
    'a cpu limit in millicores': {
      c: container([{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } }], { limits: { cpu: '500m' } }),
      want: { CPU: '500' },
    },
    'a fractional cpu limit rounds up to whole cores': {
      c: container([{ name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }], { limits: { cpu: '1500m' } }),
      want: { CPU: '2' },
    },
    'an unset limit is what the node has': {
      c: container([{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }]),
      want: { MEM: String(16 * 1024) },
    },
    'an unset request is 0': { c: container([{ name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } }]), want: { REQ: '0' } },
    'an optional ConfigMap key is left out, as for a missing object': {
      c: container([
        { name: 'A', value: 'a' },
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'x', key: 'k', optional: true } } },
        { name: 'S', valueFrom: { secretKeyRef: { name: 'x', key: 'k', optional: true } } },
      ]),
      want: { A: 'a' },
    },
  };
  for (const [name, k] of Object.entries(cases)) {
    it(name, () => expect(containerEnv({ pod, container: k.c, base: {}, node })).toEqual(k.want));
  }
});
