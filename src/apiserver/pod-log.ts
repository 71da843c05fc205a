import type { ServerResponse } from 'node:http';
import type { Pod } from '../api/types.js';
import type { DaemonContext } from '../ops/control.js';
import { followLog, readWithRotated, renderLog, type LogView } from '../executor/logs/read.js';
import { containerLogPath } from '../executor/logs/paths.js';
import { GitjobsError } from '../errors.js';
import { getPod } from '../store/pods.js';
import { flag, intParam } from './request.js';

// pods/log: the container's log as `gitjobs logs` reads it, with the query
// parameters of the API (container, follow, previous, tailLines,
// sinceSeconds, sinceTime, timestamps, limitBytes).

/** Past this much unread output a follower is cut off rather than buffered for. */
const FOLLOW_BUFFER_LIMIT = 4 * 1024 * 1024;

export async function servePodLog(ctx: DaemonContext, pod: Pod, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const names = pod.spec.containers.map((c) => c.name);
  const all = [...names, ...pod.spec.initContainers.map((c) => c.name)];
  let container = q.get('container') ?? '';
  if (container === '') {
    if (names.length !== 1) {
      throw new GitjobsError('Usage', `a container name must be specified for pod ${pod.name}, choose one of: [${names.join(' ')}]`);
    }
    container = names[0]!;
  }
  if (!all.includes(container)) throw new GitjobsError('Usage', `container ${container} is not valid for pod ${pod.name}`);
  const status = [...pod.status.containerStatuses, ...pod.status.initContainerStatuses].find((s) => s.name === container);
  const previous = flag(q, 'previous');
  const attempt = (status?.restartCount ?? 0) - (previous ? 1 : 0);
  if (attempt < 0) throw new GitjobsError('Usage', `previous terminated container "${container}" in pod "${pod.name}" not found`);
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const sinceAt = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime !== null ? Date.parse(sinceTime) : undefined;
  if (sinceAt !== undefined && Number.isNaN(sinceAt)) throw new GitjobsError('Usage', `invalid sinceTime "${sinceTime}"`);
  const view: LogView = { tail: intParam(q, 'tailLines') ?? -1, timestamps: flag(q, 'timestamps'), sinceAt };
  let budget = intParam(q, 'limitBytes') ?? Infinity;
  const path = containerLogPath(ctx.stateDir, pod.namespace, pod.name, pod.uid, container, attempt);
  const fallback = status?.state.running?.startedAt ?? status?.state.terminated?.startedAt ?? pod.creationTimestamp;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  const write = (text: string): void | Promise<void> => {
    if (budget <= 0 || text === '') return;
    let buf = Buffer.from(text);
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    if (res.write(buf)) return;
    if (res.writableLength > FOLLOW_BUFFER_LIMIT) {
      res.destroy();
      return;
    }
    return new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
  };
  if (flag(q, 'follow') && !previous) {
    await followLog({
      path,
      view,
      fallbackMs: fallback,
      ended: () => {
        const p = getPod(ctx.db, pod.uid);
        return p === undefined || p.status.phase === 'Succeeded' || p.status.phase === 'Failed';
      },
      write,
      stopped: () => res.destroyed || budget <= 0,
    });
  } else {
    const log = readWithRotated(path);
    await write(renderLog(log.text, path, view, fallback, 0, log.stamps));
  }
  if (!res.destroyed) res.end();
}
