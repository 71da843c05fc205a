import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1';
import { parse as parseYaml } from 'yaml';
import { parseManifest } from '../../src/manifest/index.js';

const JOBS_DIR = path.resolve(import.meta.dirname, '../../jobs');
const VALID_DIR = path.resolve(import.meta.dirname, '../fixtures/manifests/valid');

const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('shipped example Jobs', () => {
  it('ships the documented examples', () => {
    expect(yamlFiles(JOBS_DIR)).toEqual([
      'busybox.yaml',
      'indexed.yaml',
      'myjob-suspended.yaml',
      'pi-with-timeout.yaml',
      'pi-with-ttl.yaml',
      'pi.yaml',
    ]);
  });

  for (const f of yamlFiles(JOBS_DIR)) {
    it(`${f} parses with no issues`, () => {
      const r = parseManifest(readFileSync(path.join(JOBS_DIR, f), 'utf8'), f);
      expect(r.issues).toEqual([]);
      expect(r.jobs).toHaveLength(1);
    });
  }
});

describe('portability: what gitjobs accepts is a valid Kubernetes batch/v1 Job', () => {
  const files = [...yamlFiles(JOBS_DIR).map((f) => path.join(JOBS_DIR, f)), ...yamlFiles(VALID_DIR).map((f) => path.join(VALID_DIR, f))];
  for (const file of files) {
    it(`${path.relative(path.resolve(import.meta.dirname, '../..'), file)} passes the official schema`, () => {
      const text = readFileSync(file, 'utf8');
      const parsed = parseManifest(text, file);
      expect(parsed.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(parsed.jobs.length).toBeGreaterThan(0);
      for (const job of parsed.jobs) {
        expect(() => new Job(job.manifest as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
      }
    });
  }

  it('the schema check itself rejects a malformed Job', () => {
    const bad = parseYaml('apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec: {parallelism: "two", template: {}}\n');
    expect(() => new Job(bad).validate()).toThrow();
  });
});
