// Shared by the CronJob end-to-end tests: a daemon whose clock starts at a
// chosen instant (GITJOBS_CLOCK_START) and runs at real speed, so a test starts
// a few seconds before a minute boundary instead of waiting for one.
import { startDaemon, type DaemonHandle } from '../helpers/e2e.js';

/** A fixed day, far from today: nothing depends on the machine's clock. */
export const DAY = Date.parse('2030-01-01T00:00:00Z');
/** The lead before a due time: the daemon's start and first scan fit in it even on a loaded machine. */
export const LEAD_MS = 5000;
/** Before a later due time a restarted daemon needs only to start: the CronJob exists already. */
export const RESTART_LEAD_MS = 3000;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const minutes = (ms: number): number => Math.floor(ms / 60_000);

export function cronYaml(name: string, spec: string, template: { command?: string; extra?: string } = {}): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
${spec}  jobTemplate:
    metadata:
      labels: {made-by: ${name}}
    spec:
${template.extra ?? ''}      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
            command: ${template.command ?? '["true"]'}
`;
}

/** A daemon on a folder holding these files, its clock at `at`. */
export function daemonAt(at: number, files: Record<string, string>, dir?: string): Promise<DaemonHandle> {
  return startDaemon({ files, env: { GITJOBS_CLOCK_START: iso(at) }, ...(dir === undefined ? {} : { dir }) });
}

/** Stops a daemon (SIGTERM leaves its pods running; SIGKILL as a crash) and starts the next at `at`. */
export async function restartAt(d: DaemonHandle, at: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<DaemonHandle> {
  await d.stop(signal);
  return startDaemon({ dir: d.dir, env: { GITJOBS_CLOCK_START: iso(at) } });
}

export interface CronJobJson {
  metadata: { name: string; uid: string };
  spec: { schedule: string; suspend: boolean; timeZone?: string };
  status: { active?: { name: string }[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export function cronJob(d: DaemonHandle, name: string): CronJobJson | undefined {
  const r = d.cli(['get', 'cronjob', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as CronJobJson) : undefined;
}

/** The names of the Jobs a CronJob made (its template label), sorted. */
export function jobsOf(d: DaemonHandle, name: string): string[] {
  const r = d.cli(['get', 'jobs', '-l', `made-by=${name}`, '-o', 'jsonpath={.items[*].metadata.name}']);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim() === '' ? [] : r.stdout.trim().split(' ').sort();
}

/** The reasons of the CronJob's events, from `get events` as a user reads them. */
export function eventsOf(d: DaemonHandle, name: string): { reason: string; message: string; type: string }[] {
  const r = d.cli(['get', 'events', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const items = (JSON.parse(r.stdout) as { items: { involvedObject: { kind: string; name: string }; reason: string; message: string; type: string }[] }).items;
  return items.filter((e) => e.involvedObject.kind === 'CronJob' && e.involvedObject.name === name).map(({ reason, message, type }) => ({ reason, message, type }));
}
