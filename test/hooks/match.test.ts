import { describe, expect, it } from 'vitest';
import { github } from '../../src/hooks/github.js';
import { matchPush, repositoryKey } from '../../src/hooks/match.js';
import { checkPrefixedSha256, constantTimeEqual } from '../../src/hooks/signature.js';
import { targetOf } from '../../src/source/git-ref.js';

describe('webhook signatures', () => {
  it("checks GitHub's documented test vector", () => {
    // docs.github.com, "Validating webhook deliveries": this secret and payload give this signature.
    const secret = Buffer.from("It's a Secret to Everybody");
    const body = Buffer.from('Hello, World!');
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(checkPrefixedSha256(header, secret, body)).toBe(true);
    expect(github.verify({ 'x-hub-signature-256': header.toUpperCase().replace('SHA256', 'sha256') }, body, secret)).toBe(true);
    expect(checkPrefixedSha256(header.slice(0, -1) + '0', secret, body)).toBe(false);
    expect(checkPrefixedSha256(header.slice(0, -2), secret, body)).toBe(false);
    expect(checkPrefixedSha256(undefined, secret, body)).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('repositoryKey', () => {
  it.each([
    ['https://github.com/Codertocat/Hello-World.git', 'github.com/codertocat/hello-world'],
    ['git@github.com:Codertocat/Hello-World.git', 'github.com/codertocat/hello-world'],
    ['ssh://git@github.com/Codertocat/Hello-World', 'github.com/codertocat/hello-world'],
    ['https://user:token@github.com/Codertocat/Hello-World/', 'github.com/codertocat/hello-world'],
    ['ssh://gitea@localhost:2222/gitea/webhooks.git', 'localhost/gitea/webhooks'],
    ['https://bitbucket.example.com/scm/proj/repository.git', 'bitbucket.example.com/proj/repository'],
    ['ssh://git@bitbucket.example.com:7999/proj/repository.git', 'bitbucket.example.com/proj/repository'],
  ])('%s is %s', (url, key) => expect(repositoryKey(url)).toBe(key));
});

describe('matchPush', () => {
  const push = (ref: string, extra: object = {}) => ({
    kind: 'push' as const,
    repositoryUrls: ['https://github.com/a/b.git'],
    defaultBranch: 'main',
    changes: [{ ref, after: 'abc', deleted: false }],
    ...extra,
  });
  const subject = (ref: Parameters<typeof targetOf>[0]) => ({ repository: 'github.com/a/b', target: targetOf(ref) });

  it('acts on the followed branch, tag, or the default branch for HEAD', () => {
    expect(matchPush(push('refs/heads/main'), subject({ branch: 'main' }))).toEqual({ act: true });
    expect(matchPush(push('refs/tags/v1'), subject({ tag: 'v1' }))).toEqual({ act: true });
    expect(matchPush(push('refs/heads/main'), subject({}))).toEqual({ act: true });
    expect(matchPush(push('refs/heads/dev'), subject({})).act).toBe(false);
  });

  it('ignores other refs, other repositories, deletions and a pinned commit', () => {
    expect(matchPush(push('refs/heads/dev'), subject({ branch: 'main' }))).toMatchObject({ act: false, reason: expect.stringContaining('refs/heads/dev') });
    expect(matchPush(push('refs/heads/main', { repositoryUrls: ['git@github.com:a/c.git'] }), subject({ branch: 'main' })).act).toBe(false);
    expect(matchPush(push('refs/heads/main', { changes: [{ ref: 'refs/heads/main', deleted: true }] }), subject({ branch: 'main' })).act).toBe(false);
    expect(matchPush(push('refs/heads/main'), subject({ commit: 'abcdef1' })).act).toBe(false);
  });

  it('finds the followed ref among several changes (Bitbucket Server)', () => {
    const changes = [
      { ref: 'refs/heads/dev', deleted: false },
      { ref: 'refs/heads/main', deleted: false },
    ];
    expect(matchPush(push('x', { changes }), subject({ branch: 'main' }))).toEqual({ act: true });
  });
});
