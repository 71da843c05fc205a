import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Job, JobStatus, Pod } from '../api/types.js';
import type { EventsConfig, NotifyEvent } from '../events/config.js';
import type { Db } from '../store/db.js';
import { insertOutbox } from '../store/outbox.js';
import { lastFailedTermination, runTrigger } from '../store/runs.js';
import { runNotifications, type LogTail } from './run-events.js';

// The cause side of the outbox: called inside the transaction that writes a
// Job's status or a source's failure, it inserts one row per target that
// wants the event, so the notification exists exactly when its cause does.

/** The outbox target of commit statuses (configured names cannot contain ':'). */
export const COMMIT_STATUS_TARGET = ':commit-status';

export const EVENT_TYPE_PREFIX = 'io.gitjobs.';

export function eventType(event: NotifyEvent): string {
  if (event === 'sync-failed') return `${EVENT_TYPE_PREFIX}source.sync-failed`;
  if (event === 'pod-lost') return `${EVENT_TYPE_PREFIX}pod.lost`;
  return `${EVENT_TYPE_PREFIX}job.${event}`;
}

/** What a commit status row carries. */
export interface CommitStatusPayload {
  sha: string;
  state: 'pending' | 'success' | 'failure';
  description: string;
  context: string;
  job: { namespace: string; name: string };
}

export interface LostPodData {
  job: { namespace: string; name: string; uid: string };
  pod: { name: string; uid: string };
  container: string;
  exitCode: number;
  message: string;
  revision?: string;
}

/** The container of a pod whose end nobody saw (its supervisor was killed): reason Lost. */
function lostContainer(pod: Pod): { name: string; exitCode: number; message: string } | undefined {
  for (const c of [...pod.status.initContainerStatuses, ...pod.status.containerStatuses]) {
    const t = c.state.terminated;
    if (t?.reason === 'Lost') return { name: c.name, exitCode: t.exitCode, message: t.message ?? '' };
  }
  return undefined;
}

export interface SyncFailureData {
  source: string;
  reason: string;
  message: string;
  lastGoodRevision?: string;
}

const TAIL_LINES = 20;
const TAIL_BYTES = 16 * 1024;

export class OutboxRecorder {
  constructor(
    private readonly config: EventsConfig,
    /** Called after rows are inserted; runs once the caller's transaction has committed. */
    private readonly wake: () => void,
  ) {}

  get enabled(): boolean {
    return this.config.notifications.length > 0 || this.config.commitStatus !== undefined;
  }

  get wantsLostPods(): boolean {
    return this.config.notifications.some((t) => t.events.includes('pod-lost'));
  }

  /** Inside the controller's status transaction. */
  recordRun(db: Db, job: Job, prev: JobStatus, next: JobStatus, now: number): void {
    if (!this.enabled) return;
    const events = runNotifications(job, prev, next, { trigger: () => runTrigger(db, job.uid), logTail: () => logTail(db, job.uid) });
    let inserted = false;
    for (const n of events) {
      const id = randomUUID();
      const subject = `${job.namespace}/${job.name}`;
      for (const t of this.config.notifications) {
        if (!t.events.includes(n.event)) continue;
        insertOutbox(db, { eventId: id, target: t.name, type: eventType(n.event), subject, payload: n.data }, now);
        inserted = true;
      }
      const cs = this.config.commitStatus;
      const sha = job.origin.commit?.sha;
      if (cs !== undefined && sha !== undefined) {
        const context = `${cs.context}/${job.namespace}/${job.name}`;
        const payload: CommitStatusPayload = {
          sha,
          context,
          job: { namespace: job.namespace, name: job.name },
          state: n.event === 'started' ? 'pending' : n.event === 'succeeded' ? 'success' : 'failure',
          description: describe(n.event, n.data.reason, n.data.durationSeconds),
        };
        // One subject per commit and context: the deliverer sends its states in order.
        insertOutbox(db, { eventId: id, target: COMMIT_STATUS_TARGET, type: `commit-status.${payload.state}`, subject: `${sha} ${context}`, payload }, now);
        inserted = true;
      }
    }
    if (inserted) this.wake();
  }

  /** Inside the controller's transaction that counts ended pods: those whose supervisor was lost. */
  recordLostPods(db: Db, job: Job, pods: readonly Pod[], now: number): void {
    const targets = this.config.notifications.filter((t) => t.events.includes('pod-lost'));
    if (targets.length === 0) return;
    let inserted = false;
    for (const pod of pods) {
      const lost = lostContainer(pod);
      if (lost === undefined) continue;
      const data: LostPodData = {
        job: { namespace: job.namespace, name: job.name, uid: job.uid },
        pod: { name: pod.name, uid: pod.uid },
        container: lost.name,
        exitCode: lost.exitCode,
        message: lost.message,
        ...(job.origin.revision === undefined ? {} : { revision: job.origin.revision }),
      };
      const id = randomUUID();
      for (const t of targets) insertOutbox(db, { eventId: id, target: t.name, type: eventType('pod-lost'), subject: `${pod.namespace}/${pod.name}`, payload: data }, now);
      inserted = true;
    }
    if (inserted) this.wake();
  }

  /** Inside the source's status transaction, when a sync newly fails. */
  recordSyncFailure(db: Db, data: SyncFailureData, now: number): void {
    const id = randomUUID();
    let inserted = false;
    for (const t of this.config.notifications) {
      if (!t.events.includes('sync-failed')) continue;
      insertOutbox(db, { eventId: id, target: t.name, type: eventType('sync-failed'), subject: data.source, payload: data }, now);
      inserted = true;
    }
    if (inserted) this.wake();
  }
}

function describe(event: string, reason: string | undefined, seconds: number | undefined): string {
  if (event === 'started') return 'running';
  const took = seconds === undefined ? '' : ` in ${seconds}s`;
  return event === 'succeeded' ? `complete${took}` : `failed${reason ? ` (${reason})` : ''}${took}`;
}

/** The last lines the failed container wrote (its log's last 16 KiB at most). */
function logTail(db: Db, jobUid: string): LogTail | undefined {
  const t = lastFailedTermination(db, jobUid);
  if (t === undefined) return undefined;
  let text: string;
  try {
    const fd = openSync(t.logPath, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
      // A cut in the middle of the first line is not a line.
      if (size > len) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      closeSync(fd);
    }
  } catch {
    return { pod: t.pod, container: t.container, exitCode: t.exitCode, lines: [] };
  }
  const lines = text.replace(/\n$/, '').split('\n');
  return { pod: t.pod, container: t.container, exitCode: t.exitCode, lines: text === '' ? [] : lines.slice(-TAIL_LINES) };
}
