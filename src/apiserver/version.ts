import { readFileSync } from 'node:fs';
import type { Obj } from './registry.js';

/** The Kubernetes version whose API is served; kubectl warns past one minor version of skew. */
export const KUBE_MINOR = 32;

let packageVersion: string | undefined;

function ownVersion(): string {
  if (packageVersion === undefined) {
    try {
      packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      packageVersion = '0.0.0';
    }
  }
  return packageVersion;
}

export function versionInfo(): Obj {
  return {
    major: '1',
    minor: String(KUBE_MINOR),
    gitVersion: `v1.${KUBE_MINOR}.0+gitjobs.${ownVersion()}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'gitjobs',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
