import { describe, expect, it } from 'vitest';
import { containerArgv, containerEnv, expandVars } from '../../src/executor/env.js';
import type { Container, Pod } from '../../src/api/types.js';

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
