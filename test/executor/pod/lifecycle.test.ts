import { describe, expect, it } from 'vitest';
import type { Container, ContainerStateTerminated, Pod, PodStatus } from '../../../src/api/types.js';
import {
  admittedStatus,
  containerConfigError,
  containerExited,
  containerFailedToStart,
  reconcilePod,
  type ContainerStart,
  type PodInput,
  type PodState,
} from '../../../src/executor/pod/lifecycle.js';
import { containerStarted, containerTerminated, DEADLINE_EXCEEDED, type FinishOptions } from '../../../src/executor/pod/status.js';
import { barePod, container } from '../../helpers/builders.js';

// The pod lifecycle on the node, as the table of its states: what the kubelet
// has in, what it does next out. Statuses are built with the same transitions
// the kubelet applies (pod/status.ts), so each case is a moment of a real run.

const T0 = 1_000_000;
const BASE = 10_000;

type Step = [name: string, what: 'started' | number];

interface Given {
  init?: Container[];
  main?: Container[];
  restartPolicy?: 'Never' | 'OnFailure';
  /** What happened so far, in order: a container started, or ended with an exit code. */
  steps?: Step[];
  running?: string[];
  backingOff?: string[];
  due?: [string, number][];
  ending?: FinishOptions;
  deletedAt?: number;
  activeDeadlineSeconds?: number;
  now?: number;
}

interface Want {
  state: PodState;
  start?: ContainerStart[];
  stop?: { killAt: number };
  deadlineAt?: number;
  phase?: PodStatus['phase'];
  reason?: string;
  ending?: FinishOptions;
  initialized?: boolean;
}

const sidecar = (name: string): Container => container(name, { restartPolicy: 'Always' });

function podOf(g: Given): Pod {
  const pod = barePod({ containers: g.main ?? [container('main')], initContainers: g.init ?? [], restartPolicy: g.restartPolicy ?? 'Never' });
  if (g.deletedAt !== undefined) pod.deletionTimestamp = g.deletedAt;
  if (g.activeDeadlineSeconds !== undefined) pod.spec.activeDeadlineSeconds = g.activeDeadlineSeconds;
  let status = admittedStatus(pod, T0);
  let t = T0;
  for (const [name, what] of g.steps ?? []) {
    t += 1000;
    status = what === 'started' ? containerStarted(status, name, t) : containerTerminated(status, name, ended(what, t), t);
  }
  return { ...pod, status };
}

function ended(exitCode: number, at: number): ContainerStateTerminated {
  return { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: at - 500, finishedAt: at };
}

function input(g: Given): PodInput {
  return {
    pod: podOf(g),
    runs: { running: new Set(g.running ?? []), backingOff: new Set(g.backingOff ?? []), due: new Map(g.due ?? []) },
    ending: g.ending,
    now: g.now ?? T0 + 60_000,
    options: { backoffBaseMs: BASE },
  };
}

const cases: Record<string, { given: Given; want: Want }> = {
  // Init containers, in order.
  'an admitted pod starts its first init container, and nothing else': {
    given: { init: [container('a'), container('b')] },
    want: { state: 'Initializing', start: [{ name: 'a', attempt: 0 }], initialized: false },
  },
  'the next init container starts once the one before it succeeded': {
    given: { init: [container('a'), container('b')], steps: [['a', 'started'], ['a', 0]] },
    want: { state: 'Initializing', start: [{ name: 'b', attempt: 0 }] },
  },
  'nothing starts while an init container runs': {
    given: { init: [container('a'), container('b')], steps: [['a', 'started']], running: ['a'] },
    want: { state: 'Initializing', start: [] },
  },
  'the main containers start once every init container succeeded, and the pod is Initialized': {
    given: { init: [container('a')], main: [container('m1'), container('m2')], steps: [['a', 'started'], ['a', 0]] },
    want: { state: 'Running', start: [{ name: 'm1', attempt: 0 }, { name: 'm2', attempt: 0 }], initialized: true },
  },
  'a pod without init containers starts its main containers at once': {
    given: {},
    want: { state: 'Running', start: [{ name: 'main', attempt: 0 }], initialized: true },
  },
  'an init container that failed under Never ends the pod as Failed, its main containers never started': {
    given: { init: [container('a'), container('b')], steps: [['a', 'started'], ['a', 1]] },
    want: { state: 'Finished', phase: 'Failed', ending: { failed: true } },
  },
  'an init container waiting out its back-off under OnFailure holds the pod in Initializing': {
    given: { restartPolicy: 'OnFailure', init: [container('a')], steps: [['a', 'started'], ['a', 1]], backingOff: ['a'] },
    want: { state: 'Initializing', start: [] },
  },
  'an init container whose back-off passed starts again as its next attempt, before anything else': {
    given: { restartPolicy: 'OnFailure', init: [container('a')], steps: [['a', 'started'], ['a', 1]], due: [['a', 1]] },
    want: { state: 'Initializing', start: [{ name: 'a', attempt: 1 }] },
  },

  // Sidecars: started before the main containers, stopped after them.
  'a sidecar starts in its turn, before the main containers': {
    given: { init: [sidecar('proxy')] },
    want: { state: 'Running', start: [{ name: 'proxy', attempt: 0 }, { name: 'main', attempt: 0 }] },
  },
  'a running sidecar does not hold back the init container after it': {
    given: { init: [sidecar('proxy'), container('setup')], steps: [['proxy', 'started']], running: ['proxy'] },
    want: { state: 'Initializing', start: [{ name: 'setup', attempt: 0 }] },
  },
  'once the main containers are done, the running sidecars are stopped with the grace period': {
    given: { init: [sidecar('proxy')], steps: [['proxy', 'started'], ['main', 'started'], ['main', 0]], running: ['proxy'], now: T0 + 5000 },
    want: { state: 'StoppingSidecars', start: [], stop: { killAt: T0 + 5000 + 30_000 } },
  },
  'the main containers decide the phase, not the sidecars stopped after them': {
    given: { init: [sidecar('proxy')], steps: [['proxy', 'started'], ['main', 'started'], ['main', 0], ['proxy', 143]] },
    want: { state: 'Finished', phase: 'Succeeded' },
  },

  // OnFailure restarts.
  'a main container waiting out its back-off keeps the pod Running': {
    given: { restartPolicy: 'OnFailure', steps: [['main', 'started'], ['main', 1]], backingOff: ['main'] },
    want: { state: 'Running', start: [] },
  },
  'a main container whose back-off passed starts again as its next attempt': {
    given: { restartPolicy: 'OnFailure', steps: [['main', 'started'], ['main', 1]], due: [['main', 1]] },
    want: { state: 'Running', start: [{ name: 'main', attempt: 1 }] },
  },
  'a main container that failed under Never ends the pod as Failed': {
    given: { steps: [['main', 'started'], ['main', 2]] },
    want: { state: 'Finished', phase: 'Failed' },
  },
  'every main container succeeded: the pod Succeeded': {
    given: { main: [container('a'), container('b')], steps: [['a', 'started'], ['b', 'started'], ['a', 0], ['b', 0]] },
    want: { state: 'Finished', phase: 'Succeeded' },
  },
  'one main container still running keeps the pod Running after another ended': {
    given: { main: [container('a'), container('b')], steps: [['a', 'started'], ['b', 'started'], ['a', 1]], running: ['b'] },
    want: { state: 'Running', start: [] },
  },

  // activeDeadlineSeconds of the pod, counted from its start.
  'a running pod with a deadline says when it runs out': {
    given: { activeDeadlineSeconds: 5, steps: [['main', 'started']], running: ['main'], now: T0 + 2000 },
    want: { state: 'Running', start: [], deadlineAt: T0 + 1000 + 5000 },
  },
  'past its deadline the pod ends: its containers are stopped with the grace period': {
    given: { activeDeadlineSeconds: 5, steps: [['main', 'started']], running: ['main'], now: T0 + 7000 },
    want: { state: 'Ending', start: [], stop: { killAt: T0 + 7000 + 30_000 }, ending: DEADLINE_EXCEEDED },
  },
  'past its deadline, once nothing runs, the pod Failed with reason DeadlineExceeded': {
    given: { activeDeadlineSeconds: 5, restartPolicy: 'OnFailure', steps: [['main', 'started'], ['main', 1]], backingOff: ['main'], now: T0 + 7000 },
    want: { state: 'Finished', phase: 'Failed', reason: 'DeadlineExceeded' },
  },
  'a pod that never started has no deadline yet': {
    given: { activeDeadlineSeconds: 5, running: ['main'], now: T0 + 60_000 },
    want: { state: 'Running', start: [] },
  },

  // Deletion.
  'deleted while its container is being started: nothing else starts, SIGKILL after the deletion grace period': {
    given: { deletedAt: T0 + 100, running: ['main'], due: [['main', 1]] },
    want: { state: 'Ending', start: [], stop: { killAt: T0 + 100 + 30_000 } },
  },
  'deleted before anything started: the pod ends at once': {
    given: { deletedAt: T0 + 100 },
    want: { state: 'Finished', phase: 'Failed', start: [] },
  },
  'deleted during its back-off: the restart is not made and the pod ends': {
    given: { restartPolicy: 'OnFailure', deletedAt: T0 + 100, steps: [['main', 'started'], ['main', 1]], backingOff: ['main'] },
    want: { state: 'Finished', phase: 'Failed' },
  },

  // After a daemon restart.
  're-attached to a running container: nothing to start, stop or write': {
    given: { steps: [['main', 'started']], running: ['main'] },
    want: { state: 'Running', start: [] },
  },
  'an init container found failed for good after a restart still ends the pod': {
    given: { init: [container('a'), sidecar('proxy')], steps: [['a', 'started'], ['a', 1], ['proxy', 'started']], running: ['proxy'] },
    want: { state: 'Ending', start: [], stop: { killAt: T0 + 60_000 + 30_000 }, ending: { failed: true } },
  },
};

describe('the pod lifecycle', () => {
  for (const [name, { given, want }] of Object.entries(cases)) {
    it(name, () => {
      const plan = reconcilePod(input(given));
      expect(plan.state).toBe(want.state);
      if (want.start !== undefined) expect(plan.start).toEqual(want.start);
      expect(plan.stop).toEqual(want.stop);
      if (want.deadlineAt !== undefined || want.state === 'Running') expect(plan.deadlineAt).toBe(want.deadlineAt);
      if (want.phase !== undefined) expect(plan.status.phase).toBe(want.phase);
      else expect(['Pending', 'Running']).toContain(plan.status.phase);
      if (want.reason !== undefined) expect(plan.status.reason).toBe(want.reason);
      if (want.ending !== undefined) expect(plan.ending).toEqual(want.ending);
      if (want.initialized !== undefined) {
        expect(plan.status.conditions.find((c) => c.type === 'Initialized')?.status).toBe(want.initialized ? 'True' : 'False');
      }
    });
  }

  it('asked again with nothing changed, the plan is the same: a write that failed (a full disk) is retried as it was', () => {
    const g: Given = { init: [sidecar('proxy')], steps: [['proxy', 'started'], ['main', 'started'], ['main', 0]], running: ['proxy'] };
    const i = input(g);
    expect(reconcilePod(i)).toEqual(reconcilePod(i));
  });

  it('with nothing to do, the status is the very one given: nothing is written', () => {
    const i = input({ steps: [['main', 'started']], running: ['main'] });
    expect(reconcilePod(i).status).toBe(i.pod.status);
  });
});

describe('a container that ended', () => {
  const exit = (g: Given, name: string, code: number) => containerExited(input(g), name, ended(code, T0 + 50_000));

  it('under OnFailure, restarts in place at once the first time, waiting in CrashLoopBackOff', () => {
    const r = exit({ restartPolicy: 'OnFailure', steps: [['main', 'started']] }, 'main', 1);
    expect(r.restartAfterMs).toBe(0);
    expect(r.status.containerStatuses[0]?.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(r.status.containerStatuses[0]?.lastState?.terminated?.exitCode).toBe(1);
  });

  it('under OnFailure, waits twice as long with each restart', () => {
    const g: Given = { restartPolicy: 'OnFailure', steps: [['main', 'started']] };
    const i = input(g);
    const third = { ...i, pod: { ...i.pod, status: containerStarted(i.pod.status, 'main', T0 + 2000, 3) } };
    expect(containerExited(third, 'main', ended(1, T0 + 3000)).restartAfterMs).toBe(4 * BASE);
  });

  it('under Never, stays ended', () => {
    const r = exit({ steps: [['main', 'started']] }, 'main', 1);
    expect(r.restartAfterMs).toBeUndefined();
    expect(r.status.containerStatuses[0]?.state.terminated?.exitCode).toBe(1);
  });

  it('an init container failed under Never: the pod must end', () => {
    expect(exit({ init: [container('a')], steps: [['a', 'started']] }, 'a', 1).ending).toEqual({ failed: true });
  });

  it('a sidecar restarts whatever its exit while the main containers run', () => {
    expect(exit({ init: [sidecar('proxy')], steps: [['proxy', 'started'], ['main', 'started']], running: ['main'] }, 'proxy', 0).restartAfterMs).toBe(0);
  });

  it('nothing restarts while the pod is deleted', () => {
    expect(exit({ restartPolicy: 'OnFailure', deletedAt: T0, steps: [['main', 'started']] }, 'main', 1).restartAfterMs).toBeUndefined();
  });
});

describe('a container that could not start', () => {
  it('whose executable is missing ends at once with StartError (exit 128), as a runtime reports it', () => {
    const r = containerFailedToStart(input({}), { name: 'main', attempt: 0 }, 'exec: "nope": executable file not found in $PATH');
    expect(r.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(r.status.containerStatuses[0]?.state.terminated?.reason).toBe('StartError');
  });

  it('whose Secret is missing waits in CreateContainerConfigError and is tried again after the back-off base', () => {
    const r = containerConfigError(input({}), 'main', 'secret "db" not found');
    expect(r.restartAfterMs).toBe(BASE);
    expect(r.status.containerStatuses[0]?.state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'secret "db" not found' });
  });
});
