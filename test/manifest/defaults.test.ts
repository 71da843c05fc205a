import { describe, expect, it } from 'vitest';
import { parseManifest, type ParsedJob } from '../../src/manifest/index.js';

const manifest = (spec: string, meta = '', restartPolicy = 'OnFailure'): string =>
  `apiVersion: batch/v1
kind: Job
metadata:
  name: t
${meta}spec:
${spec}  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers:
      - name: c
        image: busybox
        command: ["true"]
`;

function parse(spec = '', meta = ''): ParsedJob {
  // A pod failure policy requires restartPolicy Never.
  const restartPolicy = spec.includes('podFailurePolicy') ? 'Never' : 'OnFailure';
  const r = parseManifest(manifest(spec, meta, restartPolicy), 'job.yaml');
  expect(r.issues).toEqual([]);
  const [job] = r.jobs;
  if (job === undefined) throw new Error('no job');
  return job;
}

describe('defaults', () => {
  it('a Job with nothing set runs one pod to one completion', () => {
    const { spec } = parse();
    expect(spec.parallelism).toBe(1);
    expect(spec.completions).toBe(1);
  });

  it('parallelism without completions makes a work queue: completions stays unset', () => {
    const { spec } = parse('  parallelism: 3\n');
    expect(spec.parallelism).toBe(3);
    expect(spec.completions).toBeUndefined();
    expect('completions' in spec).toBe(false);
  });

  it('completions without parallelism runs one pod at a time', () => {
    const { spec } = parse('  completions: 4\n');
    expect(spec).toMatchObject({ parallelism: 1, completions: 4 });
  });

  const table: [string, string, (j: ParsedJob) => unknown, unknown][] = [
    ['backoffLimit is 6', '', (j) => j.spec.backoffLimit, 6],
    [
      'backoffLimit is 2147483647 with backoffLimitPerIndex',
      '  completionMode: Indexed\n  completions: 2\n  backoffLimitPerIndex: 1\n',
      (j) => j.spec.backoffLimit,
      2147483647,
    ],
    ['completionMode is NonIndexed', '', (j) => j.spec.completionMode, 'NonIndexed'],
    ['suspend is false', '', (j) => j.spec.suspend, false],
    ['manualSelector is false', '', (j) => j.spec.manualSelector, false],
    ['podReplacementPolicy is TerminatingOrFailed', '', (j) => j.spec.podReplacementPolicy, 'TerminatingOrFailed'],
    [
      'podReplacementPolicy is Failed with a pod failure policy',
      '  podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}\n',
      (j) => j.spec.podReplacementPolicy,
      'Failed',
    ],
    [
      'an onPodConditions pattern matches status True by default',
      '  podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}\n',
      (j) => j.spec.podFailurePolicy?.rules[0]?.onPodConditions,
      [{ type: 'DisruptionTarget', status: 'True' }],
    ],
    ['restartPolicy is kept as written', '', (j) => j.spec.template.spec.restartPolicy, 'OnFailure'],
    ['terminationGracePeriodSeconds is 30', '', (j) => j.spec.template.spec.terminationGracePeriodSeconds, 30],
    ['initContainers is empty', '', (j) => j.spec.template.spec.initContainers, []],
    ['a container has no args', '', (j) => j.spec.template.spec.containers[0]?.args, []],
    ['a container has no env', '', (j) => j.spec.template.spec.containers[0]?.env, []],
    ['template labels and annotations are empty', '', (j) => j.spec.template.metadata, { labels: {}, annotations: {} }],
    ['the selector is left for generation', '', (j) => j.spec.selector, undefined],
    ['activeDeadlineSeconds stays unset', '', (j) => 'activeDeadlineSeconds' in j.spec, false],
    ['ttlSecondsAfterFinished stays unset', '', (j) => 'ttlSecondsAfterFinished' in j.spec, false],
  ];
  for (const [name, spec, pick, want] of table) {
    it(name, () => expect(pick(parse(spec))).toEqual(want));
  }

  it('the namespace is default', () => {
    expect(parse().namespace).toBe('default');
  });

  it('a written namespace, labels and annotations are kept', () => {
    const job = parse('', '  namespace: team-a\n  labels: {app: x}\n  annotations: {gitjobs.io/run: "2"}\n');
    expect(job).toMatchObject({ namespace: 'team-a', labels: { app: 'x' }, annotations: { 'gitjobs.io/run': '2' } });
  });

  it('explicit values win over defaults', () => {
    const { spec } = parse('  parallelism: 2\n  completions: 5\n  backoffLimit: 0\n  suspend: true\n  podReplacementPolicy: Failed\n');
    expect(spec).toMatchObject({ parallelism: 2, completions: 5, backoffLimit: 0, suspend: true, podReplacementPolicy: 'Failed' });
  });

  it('records the document position and keeps the manifest as written', () => {
    const job = parse();
    expect(job).toMatchObject({ file: 'job.yaml', document: 0, line: 1, column: 1, name: 't' });
    expect(job.manifest).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 't' } });
    expect((job.manifest as { spec: object }).spec).not.toHaveProperty('backoffLimit');
  });

  it('keeps recorded fields out of the spec but in the manifest', () => {
    const text = manifest('').replace('        image: busybox\n', '        image: busybox\n        ports: [{containerPort: 80}]\n');
    const [job] = parseManifest(text, 'job.yaml').jobs;
    expect(job?.spec.template.spec.containers[0]).not.toHaveProperty('ports');
    expect(job?.spec.template.spec.containers[0]?.image).toBe('busybox');
    expect(JSON.stringify(job?.manifest)).toContain('"containerPort":80');
  });
});
