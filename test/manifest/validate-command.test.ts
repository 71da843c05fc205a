import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/commands/validate.js';

const FIXTURES = path.relative(process.cwd(), path.resolve(import.meta.dirname, '../fixtures/manifests'));
const JOBS = path.relative(process.cwd(), path.resolve(import.meta.dirname, '../../jobs'));

async function run(paths: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await validateCommand(paths, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('gitjobs validate', () => {
  it('prints every issue as file:line:col: field: message and a summary, and fails', async () => {
    const { code, out, err } = await run([path.join(FIXTURES, 'invalid')]);
    const dir = path.join(FIXTURES, 'invalid');
    expect(code).toBe(1);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `${dir}/mixed.yaml:16:7: kind: Unsupported value: "Deployment": gitjobs runs batch/v1 Job and CronJob objects only`,
      `${dir}/no-command.yaml:7:5: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"; the pods of a Job must terminate, so Always is not allowed, and Always is what an unset restartPolicy defaults to`,
      `${dir}/no-command.yaml:9:9: spec.template.spec.containers[0].command: Required value: pods are host processes, so an image's entrypoint cannot be run; set command to the program to execute`,
      `${dir}/syntax.yml:7:1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      `${dir}/typo.yaml:6:3: spec.completion: unknown field "spec.completion" (did you mean "completions"?)`,
      '4 files, 2 jobs, 5 errors',
    ]);
  });

  it('passes the shipped examples', async () => {
    const { code, out } = await run([JOBS]);
    expect(code).toBe(0);
    expect(out).toEqual(['6 files, 6 jobs, 0 errors']);
  });

  it('passes the valid fixtures, files and folders mixed, saying where a mounted volume really is', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'valid'), path.join(JOBS, 'pi.yaml')]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'test/fixtures/manifests/valid/policies.yaml:59:22: warning: spec.template.spec.containers[0].volumeMounts[0].mountPath: pods are host processes and nothing can be mounted at "/scratch"; the volume\'s folder is in $GITJOBS_VOLUME_SCRATCH',
      '4 files, 5 jobs, 0 errors, 1 warning',
    ]);
  });

  it('prints warnings without failing', async () => {
    const { code, out } = await run([path.join(FIXTURES, 'warning.yaml')]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `${FIXTURES}/warning.yaml:9:9: warning: spec.template.spec.containers[0].image: Required value: Kubernetes requires an image; gitjobs only records it, so set one to keep the manifest portable`,
      '1 file, 1 job, 0 errors, 1 warning',
    ]);
  });

  it('a path that does not exist is an error', async () => {
    const { code, out, err } = await run(['no/such/dir']);
    expect(code).toBe(1);
    expect(err).toEqual(['error: no/such/dir: no such file or directory']);
    expect(out).toEqual(['0 files, 0 jobs, 1 error']);
  });

  it('no path at all is a usage error', async () => {
    const { code, err } = await run([]);
    expect(code).toBe(1);
    expect(err).toEqual(['error: specify at least one manifest file or folder']);
  });
});
