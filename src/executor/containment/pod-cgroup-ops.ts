import type { Container, Pod } from '../../api/types.js';
import type { Db } from '../../store/db.js';
import { recordEvent } from '../../store/events.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { unenforcedLimits } from './containment.js';
import type { PodCgroups } from './pod-cgroups.js';
import { DRAIN_LIMIT_MS, type ContainerRun } from '../pod-runtime.js';
import type { StartedRun } from '../runtime/spawner.js';

/**
 * The kubelet's dealings with pod cgroups: leftovers of ended containers,
 * OOM kills and limits the host could not apply (a pod's cgroup is removed
 * by the spawner: pod-cgroups.ts removeCgroupWhenEmpty).
 * Without cgroups every call is a no-op.
 */
export class PodCgroupOps {
  constructor(
    private readonly cgroups: PodCgroups | undefined,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * A container has ended when its main process has, as in Kubernetes, where
   * the rest of a container dies with its init process: anything it left
   * running (a daemonized child, a setsid escapee) is killed through the
   * cgroup, and the end is recorded once the cgroup is empty. True while that
   * is under way; `again` runs shortly to look once more.
   */
  draining(podUid: string, name: string, run: ContainerRun, again: () => void): boolean {
    const cg = this.cgroups;
    if (cg === undefined || run.leaf === undefined || !cg.populated(podUid, run.leaf)) return false;
    const now = Date.now();
    if (run.drainingSince === undefined) {
      run.drainingSince = now;
      this.logger.info('killing processes the container left behind', { pod: podUid, container: name });
    } else if (now - run.drainingSince > DRAIN_LIMIT_MS) {
      this.logger.warn('processes of an ended container survive SIGKILL; recording its end anyway', { pod: podUid, container: name });
      return false;
    }
    cg.kill(podUid, run.leaf);
    const t = setTimeout(again, 10);
    t.unref();
    return true;
  }

  /** The same, at recovery, where the end is recorded in the same pass: a short bounded wait. */
  drainNow(podUid: string, leaf: string): void {
    const cg = this.cgroups;
    if (cg === undefined || !cg.populated(podUid, leaf)) return;
    cg.kill(podUid, leaf);
    const until = Date.now() + 500;
    while (cg.populated(podUid, leaf) && Date.now() < until) {
      // SIGKILL is delivered at once; the processes are gone within microseconds
    }
  }

  oomKilled(podUid: string, run: ContainerRun): boolean {
    return run.leaf !== undefined && (this.cgroups?.oomKills(podUid, run.leaf) ?? 0) > 0;
  }

  /** What the spawner could not do about the run's cgroup, said as a Warning on the pod and in the log. */
  reportStart(pod: Pod, c: Container, s: StartedRun): void {
    if (s.cgroupError !== undefined) {
      // The pod then runs contained by its process group only.
      this.logger.warn('could not set up the container cgroup; running it without', { pod: `${pod.namespace}/${pod.name}`, error: s.cgroupError });
      if (!s.inCgroup) this.warnLimits(pod, c, Object.keys(c.resources?.limits ?? {}), 'could not be applied');
      return;
    }
    const failed = s.failedLimits.filter((l) => l !== 'pids');
    if (failed.length > 0) this.warnLimits(pod, c, failed, 'could not be applied');
    if (s.failedLimits.includes('pids')) this.logger.warn('could not set the pod pids limit', { pod: `${pod.namespace}/${pod.name}` });
  }

  /** A Warning on the pod for each container limit this node does not enforce: the pod still runs. */
  warnUnenforced(pod: Pod): void {
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
      const names = unenforcedLimits(c, this.cgroups);
      if (names.length > 0) this.warnLimits(pod, c, names, 'not enforced on this node');
    }
  }

  private warnLimits(pod: Pod, c: Container, names: string[], what: string): void {
    const list = names.map((n) => `limits.${n}`).join(', ');
    const why = this.cgroups === undefined ? 'gitjobs has no cgroups on this host' : 'gitjobs enforces cpu and memory limits only, where a cgroup controller for them exists';
    const message = `Container ${c.name}: ${list} ${what} (${why})`;
    try {
      this.db.transaction(() =>
        recordEvent(this.db, { object: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid }, type: 'Warning', reason: 'LimitNotEnforced', message, source: 'kubelet' }, this.clock.now()),
      )();
    } catch {
      // an event lost to a full disk; the pod runs all the same
    }
    this.logger.warn('limit not enforced', { pod: `${pod.namespace}/${pod.name}`, container: c.name, limits: list });
  }
}
