import { describe, expect, it } from 'vitest';
import { fieldRows } from '../../src/manifest/index.js';

describe('the field table', () => {
  const rows = fieldRows();
  const byPath = new Map(rows.map((r) => [r.path, r]));

  it('every refused field says why', () => {
    const refused = rows.filter((r) => r.support === 'refused' || r.note?.startsWith('refused when set'));
    expect(refused.length).toBeGreaterThan(20);
    for (const r of refused) expect(r.note, r.path).toMatch(/\w{3,}/);
  });

  const expectations: [string, string][] = [
    ['spec.parallelism', 'supported'],
    ['spec.template.spec.containers[].command', 'supported'],
    ['spec.template.spec.containers[].image', 'recorded'],
    ['spec.template.spec.containers[].ports', 'recorded'],
    ['spec.template.spec.nodeSelector', 'recorded'],
    ['spec.template.spec.tolerations', 'recorded'],
    ['spec.template.spec.affinity', 'recorded'],
    ['spec.template.spec.containers[].livenessProbe', 'refused'],
    ['spec.template.spec.containers[].lifecycle', 'refused'],
    ['spec.template.spec.volumes[].hostPath', 'refused'],
    ['metadata.generateName', 'refused'],
    ['status', 'ignored'],
    ['spec.template.spec.volumes[].emptyDir', 'supported'],
    ['spec.template.spec.initContainers[].restartPolicy', 'supported'],
    ['spec.template.spec.activeDeadlineSeconds', 'supported'],
    ['spec.template.spec.subdomain', 'recorded'],
    ['spec.template.spec.containers[].envFrom', 'supported'],
    ['spec.template.spec.containers[].envFrom[].secretRef', 'supported'],
    ['spec.template.spec.containers[].env[].valueFrom.secretKeyRef', 'supported'],
    ['spec.template.spec.containers[].volumeMounts[].readOnly', 'recorded'],
  ];
  for (const [path, support] of expectations) {
    it(`${path} is ${support}`, () => expect(byPath.get(path)?.support).toBe(support));
  }

  it('says how a supported field maps onto a host process where it differs', () => {
    expect(byPath.get('spec.template.spec.containers[].volumeMounts[].mountPath')?.note).toContain('$GITJOBS_VOLUME_<NAME>');
    expect(byPath.get('spec.template.spec.containers[].env[].valueFrom.configMapKeyRef')?.note).toMatch(/^only with optional: true/);
  });

  it('documents the defaults Kubernetes applies', () => {
    expect(byPath.get('spec.backoffLimit')?.default).toBe('6; 2147483647 with backoffLimitPerIndex');
    expect(byPath.get('spec.template.spec.terminationGracePeriodSeconds')?.default).toBe('30');
  });
});
