import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UidRange } from './containment.js';
import type { PodIdentity } from './identity.js';
import { containerLogDir, podDir } from '../logs/paths.js';
import { readSupervisor, RUN_FILE } from '../runtime/run-records.js';

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
  reserve(pod: { namespace: string; name: string; uid: string }): void {
    if (this.range === undefined) return;
    for (const rec of supervisorRecords(this.stateDir, pod)) {
      const uid = readSupervisor(rec)?.podUid;
      if (uid !== undefined) this.uids.set(pod.uid, uid);
    }
  }

  release(podUid: string): void {
    this.uids.delete(podUid);
  }
}

/** The record prefixes of every run of a pod that left a supervisor record: beside its logs, or in its folder when an older daemon started it. */
function supervisorRecords(stateDir: string, pod: { namespace: string; name: string; uid: string }): string[] {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const legacy = podDir(stateDir, pod.uid);
  const out = list(legacy).map((run) => `${join(legacy, run)}/`);
  const logs = dirname(containerLogDir(stateDir, pod.namespace, pod.name, pod.uid, '-'));
  for (const container of list(logs)) {
    for (const f of list(join(logs, container))) {
      // A run's record file, or the supervisor file of a run an older daemon started.
      const name = [`.${RUN_FILE}`, '.supervisor'].find((suffix) => f.endsWith(suffix));
      if (name !== undefined) out.push(join(logs, container, f.slice(0, 1 - name.length)));
    }
  }
  return out;
}
