import { checkPrefixedSha256 } from './signature.js';
import { header, isZeroSha, jsonBody, obj, refChange, str, type ForgeReceiver } from './forge.js';

/**
 * Bitbucket Server / Data Center: X-Hub-Signature (sha256=<hex HMAC-SHA256>),
 * X-Event-Key repo:refs_changed (diagnostics:ping for "Test connection"),
 * X-Request-Id per delivery. One event may change several refs; the source's own among them counts.
 */
export const bitbucketServer: ForgeReceiver = {
  verify: (headers, body, secret) => checkPrefixedSha256(header(headers, 'x-hub-signature'), secret, body),
  deliveryId: (headers) => header(headers, 'x-request-id'),
  parse: (headers, body) => {
    const event = header(headers, 'x-event-key') ?? '';
    if (event === 'diagnostics:ping') return { kind: 'ping' };
    if (event !== 'repo:refs_changed' && event !== 'repo:push') return { kind: 'other', event };
    const p = jsonBody(body);
    const repo = obj(p.repository);
    const links = obj(repo.links);
    const hrefs = [...(Array.isArray(links.clone) ? links.clone : []), ...(Array.isArray(links.self) ? links.self : [])]
      .map((l) => str(obj(l).href))
      .filter((h): h is string => h !== undefined);
    const changes = (Array.isArray(p.changes) ? p.changes : []).map(obj);
    return {
      kind: 'push',
      repositoryUrls: hrefs,
      changes: changes.map((c) => refChange(str(c.refId) ?? str(obj(c.ref).id), str(c.toHash), c.type === 'DELETE' || isZeroSha(str(c.toHash)))),
    };
  },
};
