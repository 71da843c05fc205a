import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, type CommitStatusConfig, type EventsConfig } from '../../src/events/config.js';
import { Deliverer } from '../../src/notify/deliverer.js';
import { OutboxRecorder } from '../../src/notify/recorder.js';
import { openDb, type Db } from '../../src/store/db.js';
import { listOutbox, pruneOutbox } from '../../src/store/outbox.js';
import { silentLogger } from '../../src/util/logger.js';
import { at, condition, job, status } from '../helpers/builders.js';
import { tempDir, waitFor } from '../helpers/e2e.js';

// Commit statuses against a stand-in for each forge that accepts only the
// request its API documents (method, path, auth header, JSON fields and
// values) and answers 422 otherwise, as the forges do.

const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const TOKEN = 'secret-token';

interface Shape {
  path: string;
  auth: [string, string];
  states: string[];
  nameField: 'context' | 'name';
}

const SHAPES: Record<CommitStatusConfig['forge'], Shape> = {
  // docs.github.com/en/rest/commits/statuses#create-a-commit-status
  github: { path: `/repos/acme/jobs/statuses/${SHA}`, auth: ['authorization', `Bearer ${TOKEN}`], states: ['error', 'failure', 'pending', 'success'], nameField: 'context' },
  // docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit (the project id or URL-encoded path)
  gitlab: { path: `/api/v4/projects/acme%2Fjobs/statuses/${SHA}`, auth: ['private-token', TOKEN], states: ['pending', 'running', 'success', 'failed', 'canceled'], nameField: 'name' },
  // Gitea's swagger: POST /repos/{owner}/{repo}/statuses/{sha}, CreateStatusOption, token auth
  gitea: { path: `/api/v1/repos/acme/jobs/statuses/${SHA}`, auth: ['authorization', `token ${TOKEN}`], states: ['pending', 'success', 'error', 'failure', 'warning'], nameField: 'context' },
};

let server: Server;
let base: string;
const accepted: { forge: string; state: string; body: Record<string, unknown> }[] = [];
const refused: string[] = [];

function check(forge: keyof typeof SHAPES, req: IncomingMessage, text: string): string | undefined {
  const s = SHAPES[forge];
  if (req.method !== 'POST') return `method ${req.method}`;
  if (req.url !== `/${forge}${s.path}`) return `path ${req.url}`;
  if (req.headers[s.auth[0]] !== s.auth[1]) return `auth ${req.headers[s.auth[0]]}`;
  if (!String(req.headers['content-type']).startsWith('application/json')) return 'content-type';
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (!s.states.includes(body.state as string)) return `state ${String(body.state)}`;
  if (typeof body[s.nameField] !== 'string') return `no ${s.nameField}`;
  if (typeof body.target_url !== 'string' || !/^https?:\/\//.test(body.target_url)) return 'target_url';
  if (typeof body.description !== 'string' || body.description.length > 140) return 'description';
  accepted.push({ forge, state: body.state as string, body });
  return undefined;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      const forge = req.url!.split('/')[1] as keyof typeof SHAPES;
      const problem = forge in SHAPES ? check(forge, req, text) : 'unknown forge';
      if (problem !== undefined) refused.push(`${forge}: ${problem}`);
      res.writeHead(problem === undefined ? 201 : 422, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe.each(['github', 'gitlab', 'gitea'] as const)('%s commit status', (forge) => {
  let db: Db;
  let deliverer: Deliverer;
  afterAll(async () => {
    await deliverer.stop();
    db.close();
  });

  it('is set pending when the run starts, then failure, in that order, in the shape the forge documents', async () => {
    db = openDb(join(tempDir(), 'state.db'));
    const config: EventsConfig = {
      consoleUrl: 'https://ci.example.com',
      webhooks: [],
      notifications: [],
      retry: { ...DEFAULT_RETRY, initialMs: 50 },
      commitStatus: { forge, apiUrl: `${base}/${forge}`, repository: 'acme/jobs', token: TOKEN, context: 'gitjobs' },
    };
    deliverer = new Deliverer({ db, clock: { now: () => Date.now() }, logger: silentLogger, config, consoleBase: () => config.consoleUrl });
    const recorder = new OutboxRecorder(config, () => deliverer.wake());
    const j = job({ name: `build-${forge}`, origin: { kind: 'git', source: 'https://example.com/acme/jobs.git', revision: `main@sha1:${SHA}`, commit: { sha: SHA, author: 'Ada', email: 'ada@example.com', subject: 'x', time: at(0) } } });
    const started = status({ startTime: at(1), active: 1 });
    const failed = status({ startTime: at(1), failed: 1, completionTime: undefined, conditions: [condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', at(5))] });
    db.transaction(() => recorder.recordRun(db, j, status(), started, at(1)))();
    db.transaction(() => recorder.recordRun(db, j, started, failed, at(5)))();
    deliverer.start();
    const mine = () => accepted.filter((a) => a.forge === forge);
    await waitFor(`${forge} statuses`, () => mine().length >= 2 && listOutbox(db).length === 0);
    expect(refused.filter((r) => r.startsWith(forge))).toEqual([]);
    const name = SHAPES[forge].nameField;
    expect(mine().map((a) => [a.state, a.body[name], a.body.target_url])).toEqual([
      [forge === 'gitlab' ? 'running' : 'pending', `gitjobs/default/build-${forge}`, `https://ci.example.com/#/jobs/default/build-${forge}`],
      [forge === 'gitlab' ? 'failed' : 'failure', `gitjobs/default/build-${forge}`, `https://ci.example.com/#/jobs/default/build-${forge}`],
    ]);
    expect(mine()[1]!.body.description).toBe('failed (BackoffLimitExceeded) in 4s');
    // Delivered rows are kept a while, then removed with their delivery records.
    expect(listOutbox(db, { all: true })).toHaveLength(2);
    expect(pruneOutbox(db, Date.now() + 1)).toBe(2);
    expect(listOutbox(db, { all: true })).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM outbox_delivery').get()).toEqual({ n: 0 });
  });
});
