import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/api/types.js';
import { rlimitPrefix } from '../../../src/executor/containment/rlimits.js';

const pod = (annotations: Record<string, string>): Pod => ({ uid: 'u', namespace: 'default', name: 'p', labels: {}, annotations, spec: { containers: [], initContainers: [] } }) as unknown as Pod;

describe('the prlimit prefix of a pod', () => {
  const table: [string, Record<string, string>, string[]][] = [
    ['no annotation: no prefix, the workload runs as before', {}, []],
    ['soft and hard set to the same value, sizes in bytes', { 'gitjobs.io/rlimits': 'nofile=1024,as=2Gi,core=0' }, ['prlimit', '--nofile=1024:1024', `--as=${2 * 2 ** 30}:${2 * 2 ** 30}`, '--core=0:0', '--']],
    ['an annotation that is only invalid adds nothing', { 'gitjobs.io/rlimits': 'bogus=1' }, []],
    ['other annotations are not read', { 'gitjobs.io/run': 'nofile=10' }, []],
  ];
  for (const [name, annotations, want] of table) it(name, () => expect(rlimitPrefix(pod(annotations))).toEqual(want));
});
