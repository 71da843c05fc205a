import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeNotifier } from '../../src/store/change-notifier.js';
import { changesSince, currentResourceVersion, resourceVersionOf, resourceVersionsOf } from '../../src/store/changes.js';
import { openDb, type Db } from '../../src/store/db.js';
import { recordEvent } from '../../src/store/events.js';
import { insertJob, markJobDeleted, removeJob } from '../../src/store/jobs.js';
import { insertPod, markPodGone, putPodStatus } from '../../src/store/pods.js';
import { putJobStatus } from '../../src/store/status.js';
import { at, job, pod, status } from '../helpers/builders.js';
import { tempDir } from '../helpers/e2e.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir('gitjobs-changes-');
  db = openDb(join(dir, 'gitjobs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ALL = ['jobs', 'pods', 'events'] as const;

describe('the change log behind resourceVersion and watch', () => {
  it('every write to a Job, its status, its pods and events is a change, in commit order', () => {
    const start = currentResourceVersion(db);
    const j = job({ name: 'pi', uid: 'j1' });
    insertJob(db, j);
    putJobStatus(db, 'j1', status({ active: 1 }));
    const p = pod({ name: 'pi-abcde', uid: 'p1' });
    insertPod(db, p, undefined, at(1));
    putPodStatus(db, 'p1', p.status, at(2));
    recordEvent(db, { object: { kind: 'Job', namespace: 'default', name: 'pi', uid: 'j1' }, type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: pi-abcde', source: 'job-controller' }, at(1));

    const changes = changesSince(db, start, ALL);
    expect(changes.map((c) => [c.kind, c.type, c.name])).toEqual([
      ['jobs', 'ADDED', 'pi'],
      ['jobs', 'MODIFIED', 'pi'],
      ['pods', 'ADDED', 'pi-abcde'],
      ['pods', 'MODIFIED', 'pi-abcde'],
      ['events', 'ADDED', 'pi'],
    ]);
    const rvs = changes.map((c) => c.rv);
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(currentResourceVersion(db)).toBe(rvs.at(-1));
    // Each object's version is its last change; a list reads them in one go.
    expect(resourceVersionOf(db, 'jobs', 'j1')).toBe(changes[1]!.rv);
    expect(resourceVersionOf(db, 'pods', 'p1')).toBe(changes[3]!.rv);
    expect(resourceVersionsOf(db, 'jobs', ['j1', 'missing'])).toEqual(new Map([['j1', changes[1]!.rv]]));
    // A watch of one kind sees only its changes.
    expect(changesSince(db, start, ['pods']).map((c) => c.type)).toEqual(['ADDED', 'MODIFIED']);
  });

  it('a deleted Job keeps its last state in the log, so a watcher is still sent the object', () => {
    insertJob(db, job({ name: 'pi', uid: 'j1', labels: { team: 'a' } }));
    const before = currentResourceVersion(db);
    markJobDeleted(db, 'j1', at(5));
    removeJob(db, 'j1');
    const [terminating, deleted] = changesSince(db, before, ['jobs']);
    expect(terminating!.type).toBe('MODIFIED');
    expect(deleted!.type).toBe('DELETED');
    expect(deleted!.deleted).toMatchObject({ kind: 'jobs', job: { name: 'pi', uid: 'j1', labels: { team: 'a' }, deletionTimestamp: at(5) } });
    expect(resourceVersionOf(db, 'jobs', 'j1')).toBeUndefined();
  });

  it('a pod marked gone is deleted for the API, and later writes to its history row are not changes', () => {
    const p = pod({ name: 'pi-x', uid: 'p1' });
    insertPod(db, p, undefined, at(1));
    const before = currentResourceVersion(db);
    markPodGone(db, 'p1');
    putPodStatus(db, 'p1', p.status, at(3));
    expect(changesSince(db, before, ['pods']).map((c) => c.type)).toEqual(['DELETED']);
  });

  it('a resourceVersion older than the retained window is Gone, so the client relists', () => {
    insertJob(db, job({ name: 'a', uid: 'ja' }));
    db.exec('DELETE FROM changes'); // as the window does to old changes
    insertJob(db, job({ name: 'b', uid: 'jb' }));
    const now = currentResourceVersion(db);
    expect(() => changesSince(db, now - 2, ALL)).toThrow(expect.objectContaining({ code: 'Gone' }));
    expect(changesSince(db, now - 1, ALL).map((c) => c.name)).toEqual(['b']);
    expect(changesSince(db, now, ALL)).toEqual([]);
  });

  it('the log keeps a bounded window of the newest changes', () => {
    const insert = db.prepare("INSERT INTO changes (kind, type, uid, namespace, name) VALUES ('jobs', 'MODIFIED', 'x', 'default', 'x')");
    db.transaction(() => {
      for (let i = 0; i < 50_010; i++) insert.run();
    })();
    const { n } = db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number };
    expect(n).toBe(50_000);
    expect(currentResourceVersion(db)).toBe(50_010);
  });
});

describe('the notifier watchers wait on', () => {
  it('fires once after commits, not for each, and not at all while nothing commits', async () => {
    const notifier = new ChangeNotifier(db);
    let fired = 0;
    const unsubscribe = notifier.subscribe(() => fired++);
    db.transaction(() => insertJob(db, job({ name: 'a', uid: 'ja' })))();
    db.transaction(() => insertJob(db, job({ name: 'b', uid: 'jb' })))();
    expect(fired).toBe(0); // after the turn, so a burst of commits is read once
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(1);
    unsubscribe();
    db.transaction(() => insertJob(db, job({ name: 'c', uid: 'jc' })))();
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(1);
  });

  it('a rolled-back transaction notifies nobody', async () => {
    const notifier = new ChangeNotifier(db);
    let fired = 0;
    notifier.subscribe(() => fired++);
    expect(() =>
      db.transaction(() => {
        insertJob(db, job({ name: 'a', uid: 'ja' }));
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    await new Promise((r) => setImmediate(r));
    expect(fired).toBe(0);
    expect(currentResourceVersion(db)).toBe(0);
  });
});
