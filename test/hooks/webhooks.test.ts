import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HTTP, type CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readListener } from '../../src/http/server.js';
import { condition, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { startGitServer, type GitServer } from '../helpers/git-server.js';
import { git, jobYaml, removeTempDirs, tempDir, WorkRepo } from '../source/fixture.js';

// Pushes announced by each forge's webhook, as the forge sends them: the
// published example payload with the pushed commit in it, signed with the
// receiver's secret, POSTed over real HTTP to the real daemon, which follows
// a real Git HTTP remote it would otherwise poll only hourly.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'hooks');
const SECRET = "It's a Secret to Everybody";

let d: DaemonHandle;
let server: GitServer;
let work: WorkRepo;
let base: string;
let receiver: Server;
const notified: CloudEvent<Record<string, unknown>>[] = [];

function fixture(name: string, after?: string): Buffer {
  const p = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
  if (after !== undefined) {
    if ('changes' in p) (p.changes as { toHash: string }[])[0]!.toHash = after;
    else p.after = after;
  }
  return Buffer.from(JSON.stringify(p));
}

const hmac = (body: Buffer, secret = SECRET): string => createHmac('sha256', secret).update(body).digest('hex');

/** The headers each forge sends with a delivery, signed as that forge signs. */
const SIGNERS: Record<string, (body: Buffer, delivery: string, secret?: string) => Record<string, string>> = {
  github: (b, id, s) => ({ 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': id, 'X-Hub-Signature-256': `sha256=${hmac(b, s)}` }),
  gitlab: (_b, id, s) => ({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Event-UUID': id, 'X-Gitlab-Token': s ?? SECRET }),
  gitea: (b, id, s) => ({ 'X-Gitea-Event': 'push', 'X-Gitea-Delivery': id, 'X-Gitea-Signature': hmac(b, s) }),
  bitbucket: (b, id, s) => ({ 'X-Event-Key': 'repo:refs_changed', 'X-Request-Id': id, 'X-Hub-Signature': `sha256=${hmac(b, s)}` }),
  generic: (b, id, s) => ({ 'X-Delivery-Id': id, 'X-Signature-256': `sha256=${hmac(b, s)}` }),
};
const PAYLOADS: Record<string, string> = {
  github: 'github-push.json',
  gitlab: 'gitlab-push.json',
  gitea: 'gitea-push.json',
  bitbucket: 'bitbucket-server-refs-changed.json',
};

async function post(receiver: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${base}/hooks/${receiver}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

/** A commit that adds a Job writing when its pod started, pushed to the remote (not yet announced). */
function pushJob(name: string): string {
  const marker = join(d.dir, `${name}.started`);
  work.write(`jobs/${name}.yaml`, jobYaml(name, `date +%s%3N > ${marker}`)).commit(`Add ${name}`);
  work.git('push', '-q', 'origin', 'main');
  return work.head();
}

function startedAt(name: string): number | undefined {
  const f = join(d.dir, `${name}.started`);
  if (!existsSync(f)) return undefined;
  const t = Number(readFileSync(f, 'utf8').trim());
  return Number.isFinite(t) && t > 0 ? t : undefined;
}

beforeAll(async () => {
  const root = tempDir();
  work = WorkRepo.init();
  work.write('jobs/first.yaml', jobYaml('first')).commit('First');
  git(root, 'clone', '-q', '--bare', work.dir, 'jobs.git');
  work.git('remote', 'add', 'origin', `${root}/jobs.git`);
  server = await startGitServer({ root });
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      notified.push(HTTP.toEvent({ headers: req.headers, body }) as CloudEvent<Record<string, unknown>>);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const dir = tempDir();
  const secretFile = join(dir, 'hook-secret');
  writeFileSync(secretFile, SECRET + '\n', { mode: 0o600 });
  const config = join(dir, 'events.yaml');
  writeFileSync(
    config,
    [
      'webhooks:',
      `- { name: github, forge: github, secretFile: ${secretFile}, repository: https://github.com/Codertocat/Hello-World }`,
      `- { name: gitlab, forge: gitlab, secretFile: ${secretFile}, repository: "git@example.com:mike/diaspora.git" }`,
      `- { name: gitea, forge: gitea, secretFile: ${secretFile}, repository: http://localhost:3000/gitea/webhooks }`,
      `- { name: bitbucket, forge: bitbucket-server, secretFile: ${secretFile}, repository: https://bitbucket.example.com/scm/proj/repository.git }`,
      '- { name: generic, forge: generic, secretEnv: TEST_HOOK_SECRET }',
      'notifications:',
      `- { name: ops, url: "http://127.0.0.1:${(receiver.address() as AddressInfo).port}/", events: [sync-failed] }`,
      '',
    ].join('\n'),
  );
  d = await startDaemon({
    dir,
    sourceArgs: ['--repo', server.url('jobs.git'), '--branch', 'main', '--interval', '1h'],
    extraArgs: ['--events-config', config],
    env: { TEST_HOOK_SECRET: SECRET },
  });
  base = readListener(d.stateDir)!.url;
});

afterAll(async () => {
  await d?.cleanup();
  await server?.close();
  await new Promise((r) => receiver?.close(r));
  removeTempDirs();
});

describe('webhook receivers', () => {
  it('a signed GitHub push fetches at once and answers with the revision it queued; the pod starts', async () => {
    const answered: number[] = [];
    const started: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sha = pushJob(`from-github-${i}`);
      const body = fixture('github-push.json', sha);
      const sent = Date.now();
      const r = await post('github', body, SIGNERS.github!(body, randomUUID()));
      answered.push(Date.now() - sent);
      expect(r).toMatchObject({ status: 200, json: { status: 'queued', revision: `main@sha1:${sha}` } });
      started.push((await waitFor('the pushed Job started', () => startedAt(`from-github-${i}`), 20_000, 10)) - sent);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`webhook → answered median ${median(answered)} ms (max ${Math.max(...answered)}), → pod started median ${median(started)} ms (max ${Math.max(...started)})`);
  });

  it.each(['gitlab', 'gitea', 'bitbucket'])('a %s push is verified the way that forge signs, and fetched', async (forge) => {
    const sha = pushJob(`from-${forge}`);
    const body = fixture(PAYLOADS[forge]!, sha);
    const r = await post(forge, body, SIGNERS[forge]!(body, randomUUID()));
    expect(r).toMatchObject({ status: 200, json: { status: 'queued', revision: `main@sha1:${sha}` } });
    await waitFor(`the ${forge} Job started`, () => startedAt(`from-${forge}`));
  });

  it('a generic signed POST, empty or naming the ref, fetches', async () => {
    const sha = pushJob('from-generic');
    const empty = Buffer.alloc(0);
    expect(await post('generic', empty, SIGNERS.generic!(empty, randomUUID()))).toMatchObject({ status: 200, json: { revision: `main@sha1:${sha}` } });
    const other = Buffer.from(JSON.stringify({ ref: 'refs/heads/dev' }));
    expect(await post('generic', other, SIGNERS.generic!(other, randomUUID()))).toMatchObject({ status: 202, json: { status: 'ignored' } });
  });

  it('answers pings without fetching', async () => {
    const before = server.requests;
    const ping = fixture('github-ping.json');
    const gh = await post('github', ping, { ...SIGNERS.github!(ping, randomUUID()), 'X-GitHub-Event': 'ping' });
    expect(gh).toMatchObject({ status: 200, json: { status: 'pong' } });
    const bb = fixture('bitbucket-server-ping.json');
    expect(await post('bitbucket', bb, { ...SIGNERS.bitbucket!(bb, randomUUID()), 'X-Event-Key': 'diagnostics:ping' })).toMatchObject({ status: 200 });
    expect(server.requests).toBe(before);
  });

  it('refuses a bad or missing signature with 401 and fetches nothing', async () => {
    const sha = pushJob('unannounced');
    const before = server.requests;
    for (const forge of ['github', 'gitlab', 'gitea', 'bitbucket', 'generic']) {
      const body = forge === 'generic' ? Buffer.alloc(0) : fixture(PAYLOADS[forge]!, sha);
      const wrong = await post(forge, body, SIGNERS[forge]!(body, randomUUID(), 'not the secret'));
      expect(wrong.status, forge).toBe(401);
      expect(wrong.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
      // Signed, then altered on the way: the signature no longer matches the body.
      const signed = SIGNERS[forge]!(body, randomUUID());
      const tampered = Buffer.concat([body, Buffer.from(' ')]);
      if (forge !== 'gitlab') expect((await post(forge, tampered, signed)).status, forge).toBe(401);
      expect((await post(forge, body, {})).status, forge).toBe(401);
    }
    expect(server.requests).toBe(before);
  });

  it('answers a signed body that is not JSON with 400', async () => {
    const body = Buffer.from('{"ref": ');
    const r = await post('github', body, SIGNERS.github!(body, randomUUID()));
    expect(r).toMatchObject({ status: 400, json: { kind: 'Status', reason: 'BadRequest', message: 'the payload is not JSON' } });
  });

  it('acknowledges and ignores a push for another repository, another branch or a deleted branch', async () => {
    const sha = work.head();
    const before = server.requests;
    const retarget = (mutate: (p: Record<string, any>) => void): Buffer => {
      const p = JSON.parse(fixture('github-push.json', sha).toString()) as Record<string, any>;
      mutate(p);
      return Buffer.from(JSON.stringify(p));
    };
    const cases = [
      retarget((p) => Object.assign(p.repository, { clone_url: 'https://github.com/Octocat/Other.git', ssh_url: 'git@github.com:Octocat/Other.git', html_url: 'https://github.com/Octocat/Other', url: 'https://github.com/Octocat/Other', git_url: 'git://github.com/Octocat/Other.git' })),
      retarget((p) => (p.ref = 'refs/heads/feature')),
      retarget((p) => ((p.deleted = true), (p.after = '0'.repeat(40)))),
    ];
    for (const body of cases) {
      const r = await post('github', body, SIGNERS.github!(body, randomUUID()));
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ status: 'ignored' });
      expect(String(r.json.reason)).toMatch(/another repository|not refs\/heads\/main|deleted/);
    }
    expect(server.requests).toBe(before);
  });

  it('acts on a delivery once: a replay, even after a daemon restart, is answered from the record', async () => {
    const sha = pushJob('replayed');
    const body = fixture('github-push.json', sha);
    const headers = SIGNERS.github!(body, randomUUID());
    expect(await post('github', body, headers)).toMatchObject({ status: 200, json: { status: 'queued' } });
    const before = server.requests;
    expect(await post('github', body, headers)).toMatchObject({ status: 200, json: { status: 'duplicate', revision: `main@sha1:${sha}` } });
    await d.stop('SIGKILL');
    d = await startDaemon({ dir: d.dir, sourceArgs: ['--repo', server.url('jobs.git'), '--branch', 'main', '--interval', '1h'], extraArgs: ['--events-config', join(d.dir, 'events.yaml')], env: { TEST_HOOK_SECRET: SECRET } });
    base = readListener(d.stateDir)!.url;
    const afterStart = server.requests;
    expect(afterStart).toBeGreaterThan(before); // the restarted daemon's own first fetch
    expect(await post('github', body, headers)).toMatchObject({ status: 200, json: { status: 'duplicate' } });
    expect(server.requests).toBe(afterStart);
  });

  it('answers 503 when the fetch fails, so the forge redelivers, and notifies the failed sync', async () => {
    const sha = pushJob('after-outage');
    const body = fixture('github-push.json', sha);
    const headers = SIGNERS.github!(body, randomUUID());
    server.down = true;
    const failed = await post('github', body, headers);
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    expect(String(failed.json.message)).toMatch(/^the push was received but the fetch failed: /);
    const ev = await waitFor('the sync-failed event', () => notified.find((e) => e.type === 'io.gitjobs.source.sync-failed'));
    expect(ev.subject).toBe(server.url('jobs.git'));
    expect(ev.data).toMatchObject({ source: server.url('jobs.git'), lastGoodRevision: expect.stringMatching(/^main@sha1:/) });
    server.down = false;
    // The redelivery of the same delivery is acted on: the failed one was not recorded.
    expect(await post('github', body, headers)).toMatchObject({ status: 200, json: { status: 'queued', revision: `main@sha1:${sha}` } });
  });

  it('refuses an oversized body with 413 before reading it', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0x20);
    const r = await post('github', big, SIGNERS.github!(big, randomUUID()));
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ kind: 'Status', code: 413 });
  });

  it('a flood of valid and forged deliveries is answered without stalling pods, with fetches coalesced', async () => {
    work.write('jobs/steady.yaml', jobYaml('steady', 'echo $JOB_COMPLETION_INDEX').replace('spec:\n', 'spec:\n  completions: 30\n  parallelism: 3\n')).commit('Steady');
    work.git('push', '-q', 'origin', 'main');
    const sha = work.head();
    const body = fixture('github-push.json', sha);
    const before = server.requests;
    const t0 = Date.now();
    const valid = Array.from({ length: 300 }, () => post('github', body, SIGNERS.github!(body, randomUUID())));
    const forged = Array.from({ length: 300 }, () => post('github', body, SIGNERS.github!(body, randomUUID(), 'forged')));
    const answers = await Promise.all([...valid, ...forged]);
    const took = Date.now() - t0;
    expect(answers.slice(0, 300).every((a) => a.status === 200 && a.json.revision === `main@sha1:${sha}`)).toBe(true);
    expect(answers.slice(300).every((a) => a.status === 401)).toBe(true);
    // One fetch running and one queued at most, whatever the number of deliveries.
    const fetches = server.requests - before;
    console.log(`flood: 600 deliveries answered in ${took} ms, ${fetches} Git requests`);
    expect(fetches).toBeLessThan(30);
    // 300 forged requests in a second or two: a few log lines, not 300.
    expect(d.log().split('webhook refused: bad signature').length - 1).toBeLessThan(10);
    await waitFor('the steady Job complete', () => condition(d.job('steady'), 'Complete'), 30_000, 100);
  });
});
