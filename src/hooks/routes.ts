import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Forge, HookReceiverConfig } from '../events/config.js';
import { GitjobsError } from '../errors.js';
import { readBody } from '../http/body.js';
import type { HttpRoute } from '../http/route.js';
import { sendFailure, sendJson } from '../http/status.js';
import { targetOf, type GitRef } from '../source/git-ref.js';
import type { Db } from '../store/db.js';
import { getHookDelivery, recordHookDelivery } from '../store/hook-deliveries.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { bitbucketServer } from './bitbucket-server.js';
import type { ForgeReceiver } from './forge.js';
import { bodyDeliveryId, generic } from './generic.js';
import { gitea } from './gitea.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { matchPush, repositoryKey, type HookSubject } from './match.js';

// POST /hooks/<name>: one receiver per configured webhook. A request is read
// (bounded), its signature checked, and only then parsed; a valid push for
// the followed repository and ref fetches at once, as `gitjobs sync` does,
// and the answer names the revision now applied.

/** Forges cap their payloads at 25 MB (GitHub); a push of a few thousand commits is well under this. */
export const HOOK_BODY_LIMIT = 5 * 1024 * 1024;

const RECEIVERS: Record<Forge, ForgeReceiver> = { github, gitlab, gitea, 'bitbucket-server': bitbucketServer, generic };

export interface HookDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  receivers: readonly HookReceiverConfig[];
  /** The daemon's source, which pushes must be for (unless a receiver names its repository). */
  source: { kind: 'dir' } | { kind: 'git'; url: string; ref: GitRef };
  /** Fetch and apply now (the source coalesces concurrent calls into one fetch). */
  sync(): Promise<{ revision: string }>;
}

export interface HookReply {
  status: 'queued' | 'duplicate' | 'ignored' | 'pong';
  revision?: string;
  delivery?: string;
  reason?: string;
}

export function hookRoutes(d: HookDeps): HttpRoute[] {
  const byName = new Map(d.receivers.map((r) => [r.name, r]));
  const target = d.source.kind === 'git' ? targetOf(d.source.ref) : undefined;
  const sourceRepo = d.source.kind === 'git' ? repositoryKey(d.source.url) : undefined;
  const subjects = new Map<string, HookSubject>(d.receivers.map((r) => [r.name, { repository: r.repository === undefined ? sourceRepo : repositoryKey(r.repository), target }]));
  // A redelivery arriving while the first is still fetching waits for it instead of fetching again.
  const inFlight = new Map<string, Promise<string>>();
  // Forged requests are logged at most once a second per receiver, so a flood of them cannot flood the log.
  const refused = new Map<string, { at: number; more: number }>();
  const logRefused = (name: string, remote: string | undefined): void => {
    const now = d.clock.now();
    const last = refused.get(name);
    if (last !== undefined && now - last.at < 1000) {
      last.more++;
      return;
    }
    d.logger.warn('webhook refused: bad signature', { receiver: name, remote, ...(last?.more ? { alsoRefused: last.more } : {}) });
    refused.set(name, { at: now, more: 0 });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const name = (req.url ?? '').split('?', 1)[0]!.slice('/hooks/'.length);
    const receiver = byName.get(name);
    if (receiver === undefined) return sendFailure(res, 'NotFound', `no webhook receiver "${name}"`);
    if (req.method !== 'POST') return sendFailure(res, 'MethodNotAllowed', `${req.method ?? ''} is not allowed: webhooks are POSTed`);
    const body = await readBody(req, HOOK_BODY_LIMIT);
    const forge = RECEIVERS[receiver.forge];
    if (!forge.verify(req.headers, body, receiver.secret)) {
      logRefused(name, req.socket.remoteAddress);
      return sendFailure(res, 'Unauthorized', `the request's signature does not match the secret of webhook "${name}"`);
    }
    const event = forge.parse(req.headers, body);
    if (event.kind === 'ping') return reply(res, 200, { status: 'pong' });
    if (event.kind === 'other') return reply(res, 202, { status: 'ignored', reason: `event "${event.event}" is not a push` });
    const decision = matchPush(event, subjects.get(name)!);
    if (!decision.act) {
      d.logger.info('webhook ignored', { receiver: name, reason: decision.reason });
      return reply(res, 202, { status: 'ignored', reason: decision.reason });
    }
    const delivery = forge.deliveryId(req.headers) ?? bodyDeliveryId(body);
    const seen = getHookDelivery(d.db, name, delivery);
    if (seen !== undefined) return reply(res, 200, { status: 'duplicate', delivery, ...(seen.revision === undefined ? {} : { revision: seen.revision }) });
    const key = `${name}\0${delivery}`;
    const running = inFlight.get(key);
    if (running !== undefined) return reply(res, 200, { status: 'duplicate', delivery, revision: await running });
    const fetched = d
      .sync()
      .then(
        ({ revision }) => {
          recordHookDelivery(d.db, name, delivery, d.clock.now(), revision);
          return revision;
        },
        (err: unknown) => {
          // Not recorded: the forge's redelivery (or its retry) tries again.
          throw err instanceof GitjobsError ? new GitjobsError('DaemonUnavailable', `the push was received but the fetch failed: ${err.message}`) : err;
        },
      )
      .finally(() => inFlight.delete(key));
    inFlight.set(key, fetched);
    const revision = await fetched;
    d.logger.info('webhook push', { receiver: name, delivery, revision });
    reply(res, 200, { status: 'queued', revision, delivery });
  };
  return [{ path: '/hooks/', auth: 'none', handle }];
}

function reply(res: ServerResponse, code: number, body: HookReply): void {
  sendJson(res, code, body);
}
