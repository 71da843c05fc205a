import { checkPrefixedSha256 } from './signature.js';
import { header, isZeroSha, jsonBody, obj, refChange, str, strings, type ForgeReceiver, type HookEvent } from './forge.js';

/** GitHub: X-Hub-Signature-256 (HMAC-SHA256), X-GitHub-Event ping|push, X-GitHub-Delivery. */
export const github: ForgeReceiver = {
  verify: (headers, body, secret) => checkPrefixedSha256(header(headers, 'x-hub-signature-256'), secret, body),
  deliveryId: (headers) => header(headers, 'x-github-delivery'),
  parse: (headers, body) => githubStylePush(header(headers, 'x-github-event') ?? '', body),
};

/** GitHub's push payload, which Gitea and Forgejo send too. */
export function githubStylePush(event: string, body: Buffer): HookEvent {
  if (event === 'ping') return { kind: 'ping' };
  if (event !== 'push') return { kind: 'other', event };
  const p = jsonBody(body);
  const repo = obj(p.repository);
  const after = str(p.after);
  return {
    kind: 'push',
    repositoryUrls: strings(repo.clone_url, repo.ssh_url, repo.html_url, repo.git_url, repo.url),
    ...(str(repo.default_branch) === undefined ? {} : { defaultBranch: str(repo.default_branch)! }),
    changes: [refChange(str(p.ref), after, p.deleted === true || isZeroSha(after))],
  };
}
