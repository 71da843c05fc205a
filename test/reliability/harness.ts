// Shared checks for the fault-injection suite: the invariants every scenario
// must leave intact, read straight from the state database and /proc.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isPodTerminal } from '../../src/api/pods.js';
import type { Pod } from '../../src/api/types.js';
import { openDb, STATE_DB_FILE } from '../../src/store/db.js';
import { getJobByName, listJobs } from '../../src/store/jobs.js';
import { listPods, listPodsOfRun } from '../../src/store/pods.js';
import { getJobStatus } from '../../src/store/status.js';
import { afterEach } from 'vitest';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { RUN_FILE, readWorkloadPid } from '../../src/executor/runtime/run-records.js';

export const NEVER = '      restartPolicy: Never\n';

/** `startDaemon` for a test file: every daemon it starts is cleaned up after each test. */
export function managedDaemons(): (opts?: Parameters<typeof startDaemon>[0]) => Promise<DaemonHandle> {
  const handles: DaemonHandle[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0).reverse()) await h.cleanup();
  });
  return async (opts = {}) => {
    const d = await startDaemon(opts);
    handles.push(d);
    return d;
  };
}

/** A Job manifest with one container running `sh -c SCRIPT`. */
export function shJob(name: string, script: string, spec = '', podSpec = NEVER): string {
  return (
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n${spec}  template:\n    spec:\n${podSpec}` +
    `      terminationGracePeriodSeconds: 1\n      containers:\n      - name: c\n        image: busybox\n        command: ["sh", "-c", ${JSON.stringify(script)}]\n`
  );
}

export function withDb<T>(stateDir: string, f: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(join(stateDir, STATE_DB_FILE), { readonly: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

export function podsOf(stateDir: string, jobName: string): Pod[] {
  return withDb(stateDir, (db) => {
    const job = getJobByName(db, 'default', jobName);
    return job === undefined ? [] : listPods(db).filter((p) => p.owner?.uid === job.uid);
  });
}

/** Workload process-group ids recorded for a pod, one per container run (the workload records of the `<restart>.run` files beside its logs). */
export function podPgids(stateDir: string, podUid: string): number[] {
  const logs = join(stateDir, 'logs');
  const folder = existsSync(logs) ? readdirSync(logs).find((f) => f.endsWith(`_${podUid}`)) : undefined;
  if (folder === undefined) return [];
  const out: number[] = [];
  for (const container of readdirSync(join(logs, folder))) {
    for (const f of readdirSync(join(logs, folder, container))) {
      if (f.endsWith(`.${RUN_FILE}`)) out.push(readWorkloadPid(join(logs, folder, container, f.slice(0, -RUN_FILE.length))) ?? 0);
    }
  }
  return out.filter((n) => Number.isInteger(n) && n > 1);
}

/** Live (non-zombie) processes whose process group is pgid, from /proc. */
export function liveMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') out.push(Number(e));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export function podAlive(stateDir: string, podUid: string): boolean {
  return podPgids(stateDir, podUid).some((g) => liveMembers(g).length > 0);
}

/**
 * I1 counts: per Job, succeeded + failed equals the finished pods whose outcome
 * was taken into account (terminal, tracking finalizer dropped; pods gitjobs
 * ended on purpose without counting them, as on scale-down or suspend, are gone
 * from listings as from the API server); no pod uid or name twice.
 * I2 no lingering processes: nothing of a terminal pod still runs.
 * A Job that fails or completes while pods still run deletes them and counts
 * them, and they then leave listings too: name such Jobs in `countedGone` so
 * their gone pods are settled pods as well.
 */
export async function checkInvariants(d: DaemonHandle, opts: { countedGone?: readonly string[] } = {}): Promise<void> {
  await waitFor(
    'no process of a finished pod alive',
    () => {
      const pods = withDb(d.stateDir, (db) => listPods(db));
      const lingering = pods.filter((p) => isPodTerminal(p) && podAlive(d.stateDir, p.uid)).map((p) => p.name);
      if (lingering.length > 0) throw new Error(`still running: ${lingering.join(', ')}`);
      return true;
    },
    10_000,
    100,
  );
  withDb(d.stateDir, (db) => {
    const pods = listPods(db);
    expect(new Set(pods.map((p) => p.uid)).size).toBe(pods.length);
    expect(new Set(pods.map((p) => `${p.namespace}/${p.name}`)).size).toBe(pods.length);
    for (const job of listJobs(db)) {
      const status = getJobStatus(db, job.uid);
      const mine = pods.filter((p) => p.owner?.uid === job.uid);
      const settledFrom = opts.countedGone?.includes(job.name) === true ? listPodsOfRun(db, job.uid) : mine;
      const settled = settledFrom.filter((p) => isPodTerminal(p) && !p.trackingFinalizer).length;
      const counted = (status?.succeeded ?? 0) + (status?.failed ?? 0);
      expect(counted, `job ${job.name}: succeeded + failed vs settled pods`).toBe(settled);
      expect(status?.succeeded ?? 0, `job ${job.name}: succeeded`).toBeLessThanOrEqual(mine.filter((p) => p.status.phase === 'Succeeded').length);
    }
  });
}

/**
 * I4: samples the live workload process groups of a Job while a scenario runs
 * and remembers the most seen at once.
 */
export function sampleParallelism(stateDir: string, jobName: string): { max: () => number; stop: () => void } {
  let max = 0;
  const timer = setInterval(() => {
    try {
      const live = podsOf(stateDir, jobName).filter((p) => podAlive(stateDir, p.uid)).length;
      max = Math.max(max, live);
    } catch {
      // the database may not exist yet, or the daemon is restarting
    }
  }, 100);
  return { max: () => max, stop: () => clearInterval(timer) };
}

export function jobStatus(stateDir: string, name: string) {
  return withDb(stateDir, (db) => {
    const job = getJobByName(db, 'default', name);
    return job === undefined ? undefined : getJobStatus(db, job.uid);
  });
}

export function hasCondition(stateDir: string, name: string, type: string): boolean {
  return jobStatus(stateDir, name)?.conditions.some((c) => c.type === type && c.status === 'True') ?? false;
}
