import { constantTimeEqual } from './signature.js';
import { header, isZeroSha, jsonBody, obj, refChange, str, strings, type ForgeReceiver } from './forge.js';

/**
 * GitLab: the secret itself in X-Gitlab-Token (GitLab does not sign bodies),
 * X-Gitlab-Event "Push Hook" / "Tag Push Hook", X-Gitlab-Event-UUID per delivery
 * (Idempotency-Key, where sent, is the same across retries).
 */
export const gitlab: ForgeReceiver = {
  verify: (headers, _body, secret) => {
    const given = header(headers, 'x-gitlab-token');
    return given !== undefined && constantTimeEqual(given, secret.toString('utf8'));
  },
  deliveryId: (headers) => header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid'),
  parse: (headers, body) => {
    const event = header(headers, 'x-gitlab-event') ?? '';
    if (event !== 'Push Hook' && event !== 'Tag Push Hook') return { kind: 'other', event };
    const p = jsonBody(body);
    const project = obj(p.project);
    const repo = obj(p.repository);
    const after = str(p.after) ?? str(p.checkout_sha);
    return {
      kind: 'push',
      repositoryUrls: strings(project.git_http_url, project.git_ssh_url, project.web_url, repo.git_http_url, repo.git_ssh_url, repo.homepage),
      ...(str(project.default_branch) === undefined ? {} : { defaultBranch: str(project.default_branch)! }),
      changes: [refChange(str(p.ref), after, isZeroSha(str(p.after)))],
    };
  },
};
