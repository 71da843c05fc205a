import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NATIVE_SUPERVISOR_PATH, SUPERVISOR_SOURCES } from './supervisor.js';

// Part of `npm run build`: compiles pod-supervisor.c and its launcher
// (pod-launcher.c) into one program for this host. Without a C compiler, or
// when it fails, the build goes on and pods use the shell supervisor and the
// Node fork server (slower per start, same behaviour), so gitjobs still installs.

export interface BuildResult {
  built: boolean;
  /** The compiler's words when it did not build. */
  message?: string;
}

export function buildSupervisor(sources: readonly string[] = SUPERVISOR_SOURCES, out = NATIVE_SUPERVISOR_PATH, cc = process.env.CC ?? 'cc'): BuildResult {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  const r = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-o', tmp, ...sources], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    rmSync(tmp, { force: true });
    // A supervisor left from an earlier build would not match this source.
    rmSync(out, { force: true });
    return { built: false, message: r.error?.message ?? (r.stderr.trim() || `${cc} exited ${r.status}`) };
  }
  renameSync(tmp, out);
  return { built: true, ...(r.stderr.trim() === '' ? {} : { message: r.stderr.trim() }) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = buildSupervisor();
  if (r.built) {
    if (r.message !== undefined) process.stderr.write(`${r.message}\n`);
  } else {
    process.stderr.write(`gitjobs: the compiled pod supervisor was not built, pods will use the shell one (${r.message})\n`);
  }
}
