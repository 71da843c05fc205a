import { createHash } from 'node:crypto';
import { checkPrefixedSha256 } from './signature.js';
import { header, jsonBody, obj, refChange, str, strings, type ForgeReceiver } from './forge.js';

/**
 * Any sender that can sign: X-Signature-256: sha256=<hex HMAC-SHA256 of the
 * body>. The body may be empty (fetch whatever the source follows) or JSON
 * `{"ref": "refs/heads/main", "repository": "<url>"}` to be matched like a
 * forge's push. X-Delivery-Id names the delivery; without it, a replay of the
 * same body within the dedup window is the same delivery.
 */
export const generic: ForgeReceiver = {
  verify: (headers, body, secret) => checkPrefixedSha256(header(headers, 'x-signature-256'), secret, body),
  deliveryId: (headers) => header(headers, 'x-delivery-id'),
  parse: (_headers, body) => {
    const p = body.length === 0 ? {} : jsonBody(body);
    return { kind: 'push', repositoryUrls: strings(p.repository, obj(p.repository).url), changes: [refChange(str(p.ref), str(p.after), false)] };
  },
};

/** The delivery id of a sender that gives none: its body. */
export function bodyDeliveryId(body: Buffer): string {
  return 'sha256:' + createHash('sha256').update(body).digest('hex');
}
