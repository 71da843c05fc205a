import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/e2e.js';

describe('CLI basics', () => {
  it('--help lists the commands and exits 0', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/get\s+Display one or many resources/);
    expect(r.stdout).toMatch(/validate\s+Check Job manifests/);
  });

  it('version prints the package version', () => {
    const r = cli(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gitjobs version \d+\.\d+\.\d+/);
  });

  it('an unknown command is a usage error with exit code 2 and a hint', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate" for "gitjobs"');
    expect(r.stderr).toContain("See 'gitjobs --help' for usage.");
  });

  it('an unknown flag is a usage error with exit code 2', () => {
    const r = cli(['get', 'jobs', '--bogus'], { state: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag.*--bogus/);
    expect(r.stderr).toContain("See 'gitjobs get --help' for usage.");
  });

  it('an unknown resource type is refused as kubectl does', () => {
    const r = cli(['get', 'deployments'], { state: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the server doesn't have a resource type "deployments"`);
  });

  it('an unsupported output format names the allowed ones', () => {
    const r = cli(['get', 'jobs', '-o', 'toml'], { state: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unable to match a printer suitable for the output format "toml"');
  });

  it('reading a state folder that has no database says so and exits 1', () => {
    const r = cli(['get', 'jobs'], { state: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no state database/);
  });

  it('the daemon refuses a malformed duration flag with a usage error', () => {
    const r = cli(['daemon', '--pod-backoff-base', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid duration "soon"');
  });
});
