import type { Socket } from 'node:net';
import type { CronJobController } from '../controller/cronjob-controller.js';
import type { JobController } from '../controller/controller.js';
import { coerceError } from '../errors.js';
import type { Kubelet } from '../executor/kubelet.js';
import type { Db } from '../store/db.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { WriteStats } from '../store/stats.js';
import type { ChangeNotifier } from '../store/change-notifier.js';
import type { Reruns } from './reruns.js';

// The daemon's control channel: JSON lines over the state folder's Unix socket.
// The CLI reads state straight from SQLite; it asks the daemon only to change
// things, so every write still has one writer.

export interface ControlRequest {
  op: string;
  [key: string]: unknown;
}

export type ControlReply = ({ ok: true } & Record<string, unknown>) | { ok: false; code: string; error: string };

/** A source of desired state, as the daemon drives it. */
export interface SourceHandle {
  readonly name: string;
  readonly kind: 'dir' | 'git';
  /** Reads the source now and applies it; resolves when the store has it. */
  sync(): Promise<{ revision: string }>;
}

/** What an operation may use: the daemon's parts, never its internals' state. */
export interface DaemonContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  stateDir: string;
  controller: JobController;
  cronJobs: CronJobController;
  kubelet: Kubelet;
  source: SourceHandle;
  reruns: Reruns;
  /** Write counters of the daemon's connection. */
  stats: () => WriteStats;
  /** Fires after commits: what API watches wait on. */
  changes: ChangeNotifier;
}

export type ControlHandler = (req: ControlRequest, ctx: DaemonContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

export function serveControl(socket: Socket, handlers: Readonly<Record<string, ControlHandler>>, ctx: DaemonContext): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      void handle(line, handlers, ctx).then((reply) => {
        if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n');
      });
    }
  });
  socket.on('error', () => socket.destroy());
}

async function handle(line: string, handlers: Readonly<Record<string, ControlHandler>>, ctx: DaemonContext): Promise<ControlReply> {
  let req: ControlRequest;
  try {
    req = JSON.parse(line) as ControlRequest;
  } catch {
    return { ok: false, code: 'Usage', error: 'malformed request' };
  }
  const handler = typeof req.op === 'string' ? handlers[req.op] : undefined;
  if (handler === undefined) return { ok: false, code: 'Usage', error: `unknown operation ${JSON.stringify(req.op)}` };
  try {
    return { ok: true, ...(await handler(req, ctx)) };
  } catch (err) {
    const e = coerceError(err);
    if (e.code === 'Internal') ctx.logger.error('control operation failed', { op: req.op, error: e.message });
    return { ok: false, code: e.code, error: e.message };
  }
}
