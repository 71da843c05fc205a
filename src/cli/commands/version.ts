import { readFileSync } from 'node:fs';
import { describeCgroups, detectCgroups } from '../../executor/containment/cgroups.js';
import type { Io } from '../io.js';

export function versionCommand(_argv: string[], io: Io): number {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  io.out(`gitjobs version ${pkg.version} (node ${process.version}, batch/v1 Job semantics of Kubernetes 1.31-1.34)\n`);
  // What this host lets a daemon contain pods with; read from /proc and /sys only.
  io.out(`cgroups: ${describeCgroups(detectCgroups())}\n`);
  return 0;
}
