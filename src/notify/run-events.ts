import type { Job, JobStatus } from '../api/types.js';
import type { NotifyEvent } from '../events/config.js';

// Which notifications a status change causes, and what they say: pure, from
// the status before and after the controller's write.

export interface LogTail {
  pod: string;
  container: string;
  exitCode: number;
  lines: string[];
}

/** The `data` of a run's CloudEvent. */
export interface RunEventData {
  job: { namespace: string; name: string; uid: string };
  /** The run is the Job uid (see `gitjobs history`); trigger: new, spec-change, rerun or apply. */
  run: { uid: string; trigger?: string };
  source: string;
  revision?: string;
  commit?: { sha: string; author: string; email: string; subject: string };
  /** Complete or Failed; absent on `started`. */
  result?: string;
  reason?: string;
  message?: string;
  startTime?: string;
  completionTime?: string;
  durationSeconds?: number;
  succeeded: number;
  failed: number;
  logTail?: LogTail;
}

export interface RunNotification {
  event: Extract<NotifyEvent, 'started' | 'succeeded' | 'failed'>;
  data: RunEventData;
}

function terminal(s: JobStatus): { type: 'Complete' | 'Failed'; reason: string; message: string; at: number } | undefined {
  const c = s.conditions.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c === undefined ? undefined : { type: c.type as 'Complete' | 'Failed', reason: c.reason, message: c.message, at: c.lastTransitionTime };
}

/** What an event may quote from the store, read only when an event is made. */
export interface RunLookups {
  trigger(): string | undefined;
  logTail(): LogTail | undefined;
}

/** The run events between two statuses of one Job: started, then succeeded or failed, each once. */
export function runNotifications(job: Job, prev: JobStatus, next: JobStatus, lookups: RunLookups): RunNotification[] {
  const out: RunNotification[] = [];
  let trigger: string | undefined | null = null;
  const base = (): RunEventData => {
    if (trigger === null) trigger = lookups.trigger();
    const d: RunEventData = {
      job: { namespace: job.namespace, name: job.name, uid: job.uid },
      run: trigger === undefined ? { uid: job.uid } : { uid: job.uid, trigger },
      source: job.origin.source,
      succeeded: next.succeeded,
      failed: next.failed,
    };
    if (job.origin.revision !== undefined) d.revision = job.origin.revision;
    const c = job.origin.commit;
    if (c !== undefined) d.commit = { sha: c.sha, author: c.author, email: c.email, subject: c.subject };
    if (next.startTime !== undefined) d.startTime = new Date(next.startTime).toISOString();
    return d;
  };
  if (prev.startTime === undefined && next.startTime !== undefined) out.push({ event: 'started', data: base() });
  const before = terminal(prev);
  const after = terminal(next);
  if (before === undefined && after !== undefined) {
    const d = base();
    d.result = after.type;
    d.reason = after.reason;
    if (after.message !== '') d.message = after.message;
    const end = next.completionTime ?? after.at;
    d.completionTime = new Date(end).toISOString();
    if (next.startTime !== undefined) d.durationSeconds = Math.max(0, Math.round((end - next.startTime) / 100) / 10);
    if (after.type === 'Failed') {
      const tail = lookups.logTail();
      if (tail !== undefined) d.logTail = tail;
    }
    out.push({ event: after.type === 'Complete' ? 'succeeded' : 'failed', data: d });
  }
  return out;
}
