import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, type EventsConfig } from '../../src/events/config.js';
import { Deliverer } from '../../src/notify/deliverer.js';
import { OutboxRecorder } from '../../src/notify/recorder.js';
import { openDb } from '../../src/store/db.js';
import { listOutbox } from '../../src/store/outbox.js';
import { silentLogger } from '../../src/util/logger.js';
import { at, condition, job, status } from '../helpers/builders.js';
import { tempDir, waitFor } from '../helpers/e2e.js';

// A backlog, as after a receiver's outage: every notification delivered once,
// each subject's in the order of its causes, however many are due at once.

let server: Server;
let base: string;
let failFirst = 0;
const got: { path: string; body: Record<string, any> }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(503).end();
        return;
      }
      got.push({ path: req.url!, body: JSON.parse(text) as Record<string, any> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('the deliverer', () => {
  it('drains a backlog of 600 notifications once each, in order per subject, retrying failures', async () => {
    const db = openDb(join(tempDir(), 'state.db'));
    const config: EventsConfig = {
      consoleUrl: 'https://ci.example.com',
      webhooks: [],
      notifications: [{ name: 'events', url: `${base}/events`, template: 'generic', events: ['started', 'failed'] }],
      commitStatus: { forge: 'gitea', apiUrl: `${base}/gitea`, repository: 'acme/jobs', token: 't', context: 'gitjobs' },
      retry: { ...DEFAULT_RETRY, initialMs: 20, maxMs: 50 },
    };
    const deliverer = new Deliverer({ db, clock: { now: () => Date.now() }, logger: silentLogger, config, consoleBase: () => config.consoleUrl, maxInFlight: 4 });
    const recorder = new OutboxRecorder(config, () => deliverer.wake());
    const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    db.transaction(() => {
      for (let i = 0; i < 150; i++) {
        const j = job({ name: `j${i}`, origin: { kind: 'git', source: 'x', commit: { sha, author: 'A', email: 'a@x', subject: 's', time: at(0) } } });
        const started = status({ startTime: at(1), active: 1 });
        recorder.recordRun(db, j, status(), started, Date.now());
        recorder.recordRun(db, j, started, status({ startTime: at(1), failed: 1, conditions: [condition('Failed', 'BackoffLimitExceeded', '', at(2))] }), Date.now());
      }
    })();
    expect(listOutbox(db)).toHaveLength(600);
    failFirst = 25;
    const t0 = Date.now();
    deliverer.start();
    await waitFor('the backlog delivered', () => got.length >= 600 && listOutbox(db).length === 0, 30_000);
    console.log(`deliverer: 600 notifications (25 refused first) in ${Date.now() - t0} ms, 4 in flight`);
    expect(got).toHaveLength(600);
    const ids = got.filter((g) => g.path === '/events').map((g) => g.body.id as string);
    expect(new Set(ids).size).toBe(300);
    // Per Job: its commit status went pending, then failure; its events started, then failed.
    for (let i = 0; i < 150; i++) {
      const states = got.filter((g) => g.path.startsWith('/gitea') && g.body.context === `gitjobs/default/j${i}`).map((g) => g.body.state);
      expect(states, `j${i}`).toEqual(['pending', 'failure']);
      const types = got.filter((g) => g.path === '/events' && g.body.subject === `default/j${i}`).map((g) => g.body.type);
      expect(types, `j${i}`).toEqual(['io.gitjobs.job.started', 'io.gitjobs.job.failed']);
    }
    await deliverer.stop();
    db.close();
  });
});
