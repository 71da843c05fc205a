import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/index.js';

const base = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
  annotations:
    team: data
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-e", "print 1"]
`;

function hashOf(text: string): string {
  const r = parseManifest(text, 'pi.yaml');
  expect(r.issues).toEqual([]);
  const [job] = r.jobs;
  if (job === undefined) throw new Error('no job');
  return job.specHash;
}

const replace = (from: string, to: string): string => {
  expect(base).toContain(from);
  return base.replace(from, to);
};

describe('specHash', () => {
  const reference = hashOf(base);

  it('is a short hex digest', () => {
    expect(reference).toMatch(/^[0-9a-f]{16}$/);
  });

  const same: Record<string, string> = {
    'comments and blank lines': `# the pi job\n${base.replace('spec:\n  completions', 'spec:\n\n  # two runs\n  completions')}`,
    'flow style instead of block style': replace('      containers:\n      - name: pi\n        image: perl:5.34.0\n        command: ["perl", "-e", "print 1"]\n', '      containers: [{command: [perl, -e, print 1], image: "perl:5.34.0", name: pi}]\n'),
    'keys in another order': replace('  completions: 2\n  template:\n    spec:\n      restartPolicy: Never\n', '  template:\n    spec:\n      restartPolicy: Never\n').replace('spec:\n  template', 'spec:\n  completions: 2\n  template'),
    'the same manifest as JSON': JSON.stringify({
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { name: 'pi', annotations: { team: 'data' } },
      spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34.0', command: ['perl', '-e', 'print 1'] }] } } },
    }),
    'defaults written out': replace('  completions: 2\n', '  completions: 2\n  completionMode: NonIndexed\n  manualSelector: false\n').replace('      restartPolicy: Never\n', '      restartPolicy: Never\n      terminationGracePeriodSeconds: 30\n      initContainers: []\n'),
    'a changed parallelism': replace('  completions: 2\n', '  completions: 2\n  parallelism: 2\n'),
    'suspend set': replace('  completions: 2\n', '  completions: 2\n  suspend: true\n'),
    'an activeDeadlineSeconds': replace('  completions: 2\n', '  completions: 2\n  activeDeadlineSeconds: 60\n'),
    'a ttlSecondsAfterFinished': replace('  completions: 2\n', '  completions: 2\n  ttlSecondsAfterFinished: 100\n'),
    'a changed backoffLimit': replace('  completions: 2\n', '  completions: 2\n  backoffLimit: 1\n'),
    'a podReplacementPolicy': replace('  completions: 2\n', '  completions: 2\n  podReplacementPolicy: Failed\n'),
    'labels and other annotations of the Job': replace('    team: data\n', '    team: ml\n  labels: {app: pi}\n'),
  };
  for (const [name, text] of Object.entries(same)) {
    it(`is unchanged by ${name}`, () => expect(hashOf(text)).toBe(reference));
  }

  const different: Record<string, string> = {
    'a different command': replace('print 1', 'print 2'),
    'a different image': replace('perl:5.34.0', 'perl:5.36.0'),
    'another completion count': replace('completions: 2', 'completions: 3'),
    'a template label': replace('    spec:\n      restartPolicy', '    metadata: {labels: {tier: batch}}\n    spec:\n      restartPolicy'),
    'an environment variable': replace('        image: perl:5.34.0\n', '        image: perl:5.34.0\n        env: [{name: X, value: "1"}]\n'),
    'the completion mode': replace('  completions: 2\n', '  completions: 2\n  completionMode: Indexed\n'),
    'a gitjobs.io/run annotation': replace('    team: data\n', '    team: data\n    gitjobs.io/run: "2"\n'),
  };
  for (const [name, text] of Object.entries(different)) {
    it(`changes with ${name}`, () => expect(hashOf(text)).not.toBe(reference));
  }

  it('is unchanged when an Indexed Job changes completions together with parallelism (elastic Indexed Jobs)', () => {
    const indexed = (n: number): string => hashOf(replace('  completions: 2\n', `  completions: ${n}\n  parallelism: ${n}\n  completionMode: Indexed\n`));
    expect(indexed(2)).toBe(indexed(5));
    expect(indexed(2)).not.toBe(reference);
  });

  it('changes each time gitjobs.io/run changes', () => {
    const run = (v: string): string => hashOf(replace('    team: data\n', `    gitjobs.io/run: "${v}"\n`));
    expect(run('1')).not.toBe(run('2'));
    expect(run('1')).toBe(run('1'));
  });
});
