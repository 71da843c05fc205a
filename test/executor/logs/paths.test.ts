import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerLogPath, existingRunRecords, runRecords } from '../../../src/executor/logs/paths.js';
import { tempDir } from '../../helpers/e2e.js';

const state = tempDir('gitjobs-paths-');
afterAll(() => rmSync(state, { recursive: true, force: true }));
const pod = { namespace: 'ci', name: 'build-x7k2p', uid: '3f1c' };

describe('where a container run leaves its files', () => {
  it('the records sit beside the run’s log, named by its restart count', () => {
    expect(containerLogPath(state, 'ci', 'build-x7k2p', '3f1c', 'main', 2)).toBe(join(state, 'logs', 'ci_build-x7k2p_3f1c', 'main', '2.log'));
    expect(`${runRecords(state, 'ci', 'build-x7k2p', '3f1c', 'main', 2)}run`).toBe(join(state, 'logs', 'ci_build-x7k2p_3f1c', 'main', '2.run'));
  });

  it('a run started by this version is looked up beside its log', () => {
    expect(existingRunRecords(state, pod, 'main', 0)).toBe(runRecords(state, 'ci', 'build-x7k2p', '3f1c', 'main', 0));
  });

  it('a run an older daemon started is still found in its folder under pods/', () => {
    mkdirSync(join(state, 'pods', '3f1c', 'main.1'), { recursive: true });
    expect(`${existingRunRecords(state, pod, 'main', 1)}exit`).toBe(join(state, 'pods', '3f1c', 'main.1', 'exit'));
    // Its next run goes beside the log.
    expect(existingRunRecords(state, pod, 'main', 2)).toBe(runRecords(state, 'ci', 'build-x7k2p', '3f1c', 'main', 2));
  });
});
