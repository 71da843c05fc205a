// Smoke variants of the benchmarks in bench/: each checks the mechanism a
// performance target rests on, never a time. The others live beside the code
// they check: the fork server (test/reliability/fork-server.test.ts), listing
// without a query per Job (test/store/listing.test.ts), a pass that reads only
// unsettled pods and no finished Job (test/store/pods.test.ts, db.test.ts).
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatIntervals, intervalsToString, parseIntervals, withIndexes } from '../../src/reconcile/intervals.js';
import { startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { jobYaml, removeTempDirs, WorkRepo } from '../source/fixture.js';
import { hasCondition, shJob } from '../reliability/harness.js';

let handles: DaemonHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0).reverse()) await h.cleanup();
});
afterAll(() => removeTempDirs());

function daemonStats(stateDir: string): Promise<{ transactions: number }> {
  return new Promise((resolve, reject) => {
    const s = connect(join(stateDir, 'daemon.sock'));
    let buf = '';
    s.setEncoding('utf8');
    s.once('connect', () => s.write('{"op":"stats"}\n'));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) {
        s.end();
        resolve(JSON.parse(buf) as { transactions: number });
      }
    });
    s.once('error', reject);
  });
}

describe('smoke variants of the benchmarks', () => {
  it('write cost: a pod lifecycle (created, running, ended and counted) takes at most 4 transactions', async () => {
    const d = await startDaemon({ files: {} });
    handles.push(d);
    const before = await daemonStats(d.stateDir);
    d.writeJob('w.yaml', shJob('w', 'true', '  completions: 24\n  parallelism: 4\n'));
    await waitFor('w complete', () => hasCondition(d.stateDir, 'w', 'Complete'));
    const after = await daemonStats(d.stateDir);
    const perPod = (after.transactions - before.transactions) / 24;
    expect(perPod).toBeGreaterThan(1);
    expect(perPod).toBeLessThanOrEqual(4);
  });

  it('reaction latency: a commit to a local repository is applied without waiting for the poll', async () => {
    const repo = WorkRepo.init();
    repo.write('jobs/first.yaml', jobYaml('first')).commit('Add first');
    const d = await startDaemon({ sourceArgs: ['--repo', repo.dir, '--interval', '1h'] });
    handles.push(d);
    await waitFor('first applied', () => d.job('first'));
    repo.write('jobs/second.yaml', jobYaml('second')).commit('Add second');
    // An hour-long poll never fires within the test: only the watch on the ref can apply it.
    await waitFor('second applied', () => d.job('second'), 10_000);
  });

  it('scale: 100,000 completed indexes, finished in any order, stay one interval', () => {
    const n = 100_000;
    // A fixed permutation (multiplying by a unit mod n): completions arrive out of order.
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    let done = parseIntervals('', n);
    for (let i = 0; i < n; i += 1000) done = withIndexes(done, order.slice(i, i + 1000).sort((a, b) => a - b));
    expect(done).toHaveLength(1);
    expect(intervalsToString(done)).toBe('0-99999');
    // Kubernetes writes a run of two as two numbers.
    expect(formatIntervals([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7,8');
  });
});
