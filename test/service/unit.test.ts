import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers/e2e.js';

// The systemd unit shipped in the package.

const UNIT = join(ROOT, 'src', 'service', 'gitjobs.service');
const text = readFileSync(UNIT, 'utf8');

/** The value of each `Key=` line of the [Service] section. */
function service(): Map<string, string> {
  const section = text.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  const out = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m !== null) out.set(m[1]!, m[2]!);
  }
  return out;
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });

describe('gitjobs.service', () => {
  it('keeps pods alive across a daemon restart and restarts a daemon that failed', () => {
    const s = service();
    // The README's guarantee: pods outlive a stopped or crashed daemon, and the next one re-attaches.
    expect(s.get('KillMode')).toBe('process');
    expect(s.get('Delegate')).toBe('yes');
    expect(s.get('Restart')).toBe('on-failure');
    // A wrong flag or events file exits 2: not restarted in a loop.
    expect(s.get('RestartPreventExitStatus')).toBe('2');
    expect(s.get('KillSignal')).toBe('SIGTERM');
    expect(s.get('ExecStart')).toMatch(/^\/usr\/local\/bin\/gitjobs daemon --state \$\{STATE_DIRECTORY\} \$GITJOBS_DAEMON_ARGS$/);
  });

  it('is shipped in the package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('src/service/gitjobs.service');
  });

  it.skipIf(analyze.error !== undefined)('passes systemd-analyze verify', () => {
    // verify checks that ExecStart's program exists: point it at this checkout's CLI.
    const unit = join(tempDir(), 'gitjobs.service');
    writeFileSync(unit, text.replace('/usr/local/bin/gitjobs', CLI));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

if (analyze.error !== undefined) {
  // Shown in the run's output, so a skipped check is never mistaken for a passed one.
  console.warn('systemd-analyze not found: the unit was not verified (install the systemd package to check it)');
}
