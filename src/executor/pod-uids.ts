import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UidRange } from './containment.js';
import type { PodIdentity } from './identity.js';
import { podDir } from './paths.js';
import { readSupervisor } from './run-records.js';

/**
 * With --pod-uid-range, the uid each live pod runs as: the lowest free one of
 * the range, for as long as the pod lives, so no pod can read another's
 * environment, signal or trace it. Without a range every pod is the pod user.
 */
export class PodUids {
  private readonly uids = new Map<string, number>();

  constructor(
    private readonly base: PodIdentity | undefined,
    private readonly range: UidRange | undefined,
    private readonly stateDir: string,
  ) {}

  /** Who the pod's containers run as; `exhausted` hears of a pod left with the pod user for want of a free uid. */
  identityOf(podUid: string, exhausted: (message: string) => void): PodIdentity | undefined {
    const { base, range } = this;
    if (base === undefined || range === undefined) return base;
    let uid = this.uids.get(podUid);
    if (uid === undefined) {
      const taken = new Set(this.uids.values());
      for (let u = range.first; u <= range.last && uid === undefined; u++) if (!taken.has(u)) uid = u;
      if (uid === undefined) {
        exhausted(`every uid of --pod-uid-range ${range.first}-${range.last} is in use; the pod runs as ${base.name}`);
        return base;
      }
      this.uids.set(podUid, uid);
    }
    return { ...base, uid, name: String(uid) };
  }

  /** The pod's own uid, for its supervisor record; undefined without one. */
  uidOf(podUid: string): number | undefined {
    return this.uids.get(podUid);
  }

  /** A pod still running from before a restart keeps the uid its supervisor records name. */
  reserve(podUid: string): void {
    if (this.range === undefined) return;
    const dir = podDir(this.stateDir, podUid);
    let runs: string[];
    try {
      runs = readdirSync(dir);
    } catch {
      return;
    }
    for (const r of runs) {
      const uid = readSupervisor(join(dir, r))?.podUid;
      if (uid !== undefined) this.uids.set(podUid, uid);
    }
  }

  release(podUid: string): void {
    this.uids.delete(podUid);
  }
}
