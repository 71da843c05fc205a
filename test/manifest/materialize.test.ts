import { describe, expect, it } from 'vitest';
import { materializeJob, parseManifest, type ParsedJob } from '../../src/manifest/index.js';

const UID = '0b7f1e2c-1111-4222-8333-944455556666';

function parse(meta: string, spec = '', templateMeta = ''): ParsedJob {
  const text = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
${meta}spec:
${spec}  template:
${templateMeta}    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: ["true"]}]
`;
  const r = parseManifest(text, 'pi.yaml');
  expect(r.issues).toEqual([]);
  const [job] = r.jobs;
  if (job === undefined) throw new Error('no job');
  return job;
}

const GENERATED = {
  'batch.kubernetes.io/controller-uid': UID,
  'batch.kubernetes.io/job-name': 'pi',
  'controller-uid': UID,
  'job-name': 'pi',
};

describe('materializeJob', () => {
  it('adds the four generated labels to the pod template', () => {
    const { spec } = materializeJob(parse(''), UID);
    expect(spec.template.metadata.labels).toEqual(GENERATED);
  });

  it('selects pods by the batch.kubernetes.io/controller-uid label only', () => {
    const { spec } = materializeJob(parse(''), UID);
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
  });

  it('a Job without labels takes its template labels, generated ones included', () => {
    const { labels } = materializeJob(parse('', '', '    metadata: {labels: {app: pi}}\n'), UID);
    expect(labels).toEqual({ app: 'pi', ...GENERATED });
  });

  it('a Job with labels keeps its own', () => {
    const { labels, spec } = materializeJob(parse('  labels: {team: ml}\n', '', '    metadata: {labels: {app: pi}}\n'), UID);
    expect(labels).toEqual({ team: 'ml' });
    expect(spec.template.metadata.labels).toEqual({ app: 'pi', ...GENERATED });
  });

  it('a job-name label already equal to the name is kept as is', () => {
    const { spec } = materializeJob(parse('', '', '    metadata: {labels: {job-name: pi}}\n'), UID);
    expect(spec.template.metadata.labels).toEqual(GENERATED);
  });

  it('generates nothing with manualSelector', () => {
    const job = parse('', '  manualSelector: true\n  selector: {matchLabels: {app: pi}}\n', '    metadata: {labels: {app: pi}}\n');
    const { labels, spec } = materializeJob(job, UID);
    expect(spec.selector).toEqual({ matchLabels: { app: 'pi' } });
    expect(spec.template.metadata.labels).toEqual({ app: 'pi' });
    expect(labels).toEqual({ app: 'pi' });
  });

  it('leaves the parsed job untouched, so its hash stays that of the manifest', () => {
    const job = parse('');
    const before = structuredClone(job.spec);
    materializeJob(job, UID);
    expect(job.spec).toEqual(before);
  });
});
