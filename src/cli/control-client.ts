import { connect } from 'node:net';
import { GitjobsError, type ErrorCode } from '../errors.js';

import { daemonSocketPath } from '../daemon/socket-path.js';

export { DAEMON_SOCKET } from '../daemon/socket-path.js';

/**
 * Asks the running daemon to do something. Reads never come here: they go to
 * SQLite directly, so they work while the daemon is down.
 */
export function callDaemon(stateDir: string, req: { op: string } & Record<string, unknown>, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const path = daemonSocketPath(stateDir);
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new GitjobsError('DaemonUnavailable', `error: the gitjobs daemon did not answer within ${Math.round(timeoutMs / 1000)}s (${path})`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(JSON.stringify(req) + '\n'));
    s.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      s.end();
      let reply: Record<string, unknown>;
      try {
        reply = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      } catch {
        reject(new GitjobsError('Internal', 'error: the daemon sent a malformed reply'));
        return;
      }
      if (reply.ok === true) resolve(reply);
      else reject(new GitjobsError((reply.code as ErrorCode | undefined) ?? 'Internal', String(reply.error ?? 'request failed')));
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new GitjobsError(
          'DaemonUnavailable',
          `error: no gitjobs daemon is running on state folder ${stateDir} (${err.code ?? err.message}); start one with 'gitjobs daemon --state ${stateDir}'`,
        ),
      );
    });
  });
}
