import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capIndexes, describeJob } from '../../../src/cli/print/describe-job.js';
import { completedStatus, event, piJob, sec, status, UID } from './fixtures.js';

// The seed output was captured on a machine two hours east of UTC.
let savedTz: string | undefined;
beforeAll(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'Europe/Helsinki';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const start = Date.UTC(2019, 11, 2, 13, 20, 11);
const end = Date.UTC(2019, 11, 2, 13, 21, 16);

describe('describeJob', () => {
  it('reproduces kubectl describe jobs/pi for a completed Job', () => {
    const out = describeJob(
      {
        job: piJob({ origin: { kind: 'dir', source: '/srv/jobs', path: 'pi.yaml', line: 1 } }),
        status: completedStatus(start, end),
        events: [event({ firstTimestamp: start, lastTimestamp: start })],
      },
      start + 14 * 60_000 + sec(20),
    );
    expect(out).toBe(`Name:             pi
Namespace:        default
Selector:         batch.kubernetes.io/controller-uid=${UID}
Labels:           batch.kubernetes.io/controller-uid=${UID}
                  batch.kubernetes.io/job-name=pi
                  controller-uid=${UID}
                  job-name=pi
Annotations:      <none>
Source:           /srv/jobs
Path:             pi.yaml:1
Parallelism:      1
Completions:      1
Completion Mode:  NonIndexed
Suspend:          false
Backoff Limit:    4
Start Time:       Mon, 02 Dec 2019 15:20:11 +0200
Completed At:     Mon, 02 Dec 2019 15:21:16 +0200
Duration:         65s
Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed
Pod Template:
  Labels:  batch.kubernetes.io/controller-uid=${UID}
           batch.kubernetes.io/job-name=pi
           controller-uid=${UID}
           job-name=pi
  Containers:
   pi:
    Image:      perl:5.34.0
    Port:       <none>
    Host Port:  <none>
    Command:
      perl
      -Mbignum=bpi
      -wle
      print bpi(2000)
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age   From            Message
  ----    ------            ----  ----            -------
  Normal  SuccessfulCreate  14m   job-controller  Created pod: pi-5rwd7
`);
  });

  it('reproduces the suspend/resume event history, oldest first, with repeat counts', () => {
    const t = Date.UTC(2021, 1, 5, 13, 0, 0);
    const now = t + 12 * 60_000;
    const out = describeJob(
      {
        job: piJob({ name: 'myjob' }),
        status: status({ startTime: now - sec(3), active: 1 }),
        events: [
          event({ reason: 'Resumed', message: 'Job resumed', firstTimestamp: now - sec(3), lastTimestamp: now - sec(3) }),
          event({ message: 'Created pod: myjob-hlrpl', firstTimestamp: t, lastTimestamp: t }),
          event({ reason: 'SuccessfulDelete', message: 'Deleted pod: myjob-hlrpl', firstTimestamp: t + 60_000, lastTimestamp: t + 60_000 }),
          event({ reason: 'Suspended', message: 'Job suspended', firstTimestamp: t + 60_000, lastTimestamp: t + 60_000 }),
          event({ type: 'Warning', reason: 'FailedCreate', message: 'Error creating: fork failed', firstTimestamp: t + 120_000, lastTimestamp: now - sec(4), count: 3 }),
        ],
      },
      now,
    );
    expect(out.slice(out.indexOf('Events:'))).toBe(`Events:
  Type     Reason            Age               From            Message
  ----     ------            ----              ----            -------
  Normal   SuccessfulCreate  12m               job-controller  Created pod: myjob-hlrpl
  Normal   SuccessfulDelete  11m               job-controller  Deleted pod: myjob-hlrpl
  Normal   Suspended         11m               job-controller  Job suspended
  Warning  FailedCreate      4s (x3 over 10m)  job-controller  Error creating: fork failed
  Normal   Resumed           3s                job-controller  Job resumed
`);
  });

  it('prints Events: <none> aligned with the template block when there are no events', () => {
    const out = describeJob({ job: piJob(), status: status(), events: [] }, start);
    expect(out.endsWith('  Tolerations:     <none>\nEvents:            <none>\n')).toBe(true);
  });

  it('shows work-queue, indexed, deadline, TTL and not-yet-synced Jobs as kubectl does', () => {
    const job = piJob(
      { origin: { kind: 'git', source: 'https://example.com/jobs.git', path: 'batch/pi.yaml', line: 12, revision: '3f2c1ab' } },
      { completions: undefined, parallelism: 3, completionMode: 'Indexed', activeDeadlineSeconds: 100, ttlSecondsAfterFinished: 60 },
    );
    const out = describeJob({ job, status: undefined, events: [] }, start);
    const lines = out.split('\n');
    expect(lines).toContain('Source:                      https://example.com/jobs.git');
    expect(lines).toContain('Path:                        batch/pi.yaml:12');
    expect(lines).toContain('Revision:                    3f2c1ab');
    expect(lines).toContain('Completions:                 <unset>');
    expect(lines).toContain('Completion Mode:             Indexed');
    expect(lines).toContain('TTL Seconds After Finished:  60');
    expect(lines).toContain('Active Deadline Seconds:     100s');
    expect(lines).toContain('Pods Statuses:               0 Active / 0 Succeeded / 0 Failed');
    expect(lines).toContain('Completed Indexes:           <none>');
    expect(lines.some((l) => l.startsWith('Start Time:'))).toBe(false);
  });

  it('puts long or multi-line annotations under their key, and skips last-applied-configuration', () => {
    const job = piJob({
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"batch/v1"}',
        'note': 'line one\nline two',
        'owner': 'team-a',
      },
    });
    const out = describeJob({ job, status: status(), events: [] }, start);
    expect(out).toContain('Annotations:      note:\n                    line one\n                    line two\n                  owner: team-a\n');
    expect(out).not.toContain('last-applied');
  });

  it('lists the template environment, mounts and volumes', () => {
    const job = piJob();
    job.spec.template.spec.containers[0]!.env = [
      { name: 'MODE', value: 'fast' },
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ];
    job.spec.template.spec.containers[0]!.volumeMounts = [{ name: 'scratch', mountPath: '/scratch' }];
    job.spec.template.spec.volumes = [{ name: 'scratch', emptyDir: {} }];
    const out = describeJob({ job, status: status(), events: [] }, start);
    expect(out).toContain(
      [
        '    Environment:',
        '      MODE:                  fast',
        "      JOB_COMPLETION_INDEX:   (v1:metadata.annotations['batch.kubernetes.io/job-completion-index'])",
        '    Mounts:',
        '      /scratch from scratch (rw)',
        '  Volumes:',
        '   scratch:',
        // One alignment block runs from the volume's Type down to Events.
        "    Type:          EmptyDir (a temporary directory that shares a pod's lifetime)",
        '    Medium:        ',
        '    SizeLimit:     <unset>',
        '  Node-Selectors:  <none>',
        '  Tolerations:     <none>',
        'Events:            <none>',
      ].join('\n'),
    );
  });
});

describe('capIndexes', () => {
  it.each([
    ['empty', '', '<none>'],
    ['short', '0-3,7', '0-3,7'],
    ['cut at the first comma after 50 characters', `${'1,'.repeat(30)}99`, `${'1,'.repeat(26)}...`],
  ])('%s', (_name, input, expected) => {
    expect(capIndexes(input)).toBe(expected);
  });
});
