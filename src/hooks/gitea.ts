import { constantTimeEqual, hmacHex } from './signature.js';
import { githubStylePush } from './github.js';
import { header, type ForgeReceiver } from './forge.js';

/**
 * Gitea and Forgejo: X-Gitea-Signature (or X-Forgejo-Signature), the bare hex
 * HMAC-SHA256 of the body; X-Gitea-Event; X-Gitea-Delivery; GitHub's payload.
 */
export const gitea: ForgeReceiver = {
  verify: (headers, body, secret) => {
    const given = header(headers, 'x-gitea-signature') ?? header(headers, 'x-forgejo-signature');
    return given !== undefined && constantTimeEqual(given.trim().toLowerCase(), hmacHex('sha256', secret, body));
  },
  deliveryId: (headers) => header(headers, 'x-gitea-delivery') ?? header(headers, 'x-forgejo-delivery'),
  parse: (headers, body) => githubStylePush(header(headers, 'x-gitea-event') ?? header(headers, 'x-forgejo-event') ?? '', body),
};
