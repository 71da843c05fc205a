import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../src/api/types.js';
import { exitOutcome, type ContainerExit } from '../../../src/executor/pod/restart-policy.js';
import { barePod, container } from '../../helpers/builders.js';

// What the kubelet does after a container ends, by role and restartPolicy.

const pod = (restartPolicy: 'Never' | 'OnFailure'): Pod =>
  barePod({ namespace: 'ci', name: 'build-x', restartPolicy, initContainers: [container('setup'), container('proxy', { restartPolicy: 'Always' })] });

const base = (over: Partial<ContainerExit>): ContainerExit => ({
  pod: pod('Never'),
  name: 'main',
  exitCode: 1,
  winding: false,
  mainDone: false,
  restarts: 0,
  backoffBaseMs: 10_000,
  ...over,
});

describe('after a container ends', () => {
  const cases: Record<string, { exit: Partial<ContainerExit>; want: ReturnType<typeof exitOutcome> }> = {
    'a main container that failed under Never stays ended': { exit: {}, want: { restart: false, failPod: false } },
    'a main container that succeeded under OnFailure stays ended': { exit: { pod: pod('OnFailure'), exitCode: 0 }, want: { restart: false, failPod: false } },
    'a main container that failed under OnFailure restarts at once the first time': {
      exit: { pod: pod('OnFailure') },
      want: { restart: true, delayMs: 0, message: 'back-off 0s restarting failed container=main pod=build-x_ci(u1)' },
    },
    'the back-off doubles from the base with each restart': {
      exit: { pod: pod('OnFailure'), restarts: 3 },
      want: { restart: true, delayMs: 40_000, message: 'back-off 40s restarting failed container=main pod=build-x_ci(u1)' },
    },
    'the back-off stops at 30 times the base (the kubelet’s 5 minutes)': {
      exit: { pod: pod('OnFailure'), restarts: 12 },
      want: { restart: true, delayMs: 300_000, message: 'back-off 5m0s restarting failed container=main pod=build-x_ci(u1)' },
    },
    'nothing restarts while the pod winds down': { exit: { pod: pod('OnFailure'), winding: true }, want: { restart: false, failPod: false } },
    'an init container that failed under Never ends the pod': { exit: { name: 'setup' }, want: { restart: false, failPod: true } },
    'an init container that failed under OnFailure restarts': {
      exit: { pod: pod('OnFailure'), name: 'setup', restarts: 1 },
      want: { restart: true, delayMs: 10_000, message: 'back-off 10s restarting failed container=setup pod=build-x_ci(u1)' },
    },
    'a sidecar restarts whatever its exit code while the main containers run': {
      exit: { name: 'proxy', exitCode: 0 },
      want: { restart: true, delayMs: 0, message: 'back-off 0s restarting failed container=proxy pod=build-x_ci(u1)' },
    },
    'a sidecar stays ended once the main containers are done': { exit: { name: 'proxy', mainDone: true }, want: { restart: false, failPod: false } },
  };
  for (const [name, k] of Object.entries(cases)) it(name, () => expect(exitOutcome(base(k.exit))).toEqual(k.want));
});
