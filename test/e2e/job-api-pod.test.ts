import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { condition, startDaemon, tempDir, waitFor, type DaemonHandle, type JobJson, type PodJson } from '../helpers/e2e.js';

// The pod template as the kubelet runs it, on host processes: init containers,
// sidecars, the pod's own deadline, the downward API, emptyDir volumes and the
// DisruptionTarget condition of a pod stopped on purpose.

let d: DaemonHandle | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

interface ContainerStatusJson {
  name: string;
  restartCount: number;
  state: { waiting?: { reason: string }; running?: unknown; terminated?: { exitCode: number; reason: string } };
}
type Pod = PodJson & {
  spec: { hostname?: string };
  status: PodJson['status'] & {
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    initContainerStatuses?: ContainerStatusJson[];
    containerStatuses?: ContainerStatusJson[];
  };
};

const sh = (script: string): string => `["sh", "-c", ${JSON.stringify(script)}]`;

function job(name: string, spec: string, pod: string, templateLabels = ''): string {
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    spec.trimEnd(),
    '  template:',
    ...(templateLabels === '' ? [] : [`    metadata: {labels: {${templateLabels}}}`]),
    '    spec:',
    pod.trimEnd(),
  ].join('\n') + '\n';
}

async function run(name: string, manifest: string): Promise<void> {
  d = await startDaemon({ backoff: '100ms', files: { [`${name}.yaml`]: manifest } });
}

const finished = (name: string): Promise<JobJson> =>
  waitFor(`${name} finished`, () => {
    const j = d!.job(name);
    return condition(j, 'Complete') || condition(j, 'Failed') ? j : undefined;
  }, 30_000);

const pods = (name: string): Pod[] => d!.pods(`job-name=${name}`) as Pod[];
const logs = (pod: string, container: string): string => d!.cli(['logs', pod, '-c', container]).stdout;

describe('init containers', () => {
  it('run one after the other, each to success, before the containers start', async () => {
    await run(
      'ordered',
      job('ordered', '  backoffLimit: 0', `      restartPolicy: Never
      volumes: [{name: work, emptyDir: {}}]
      initContainers:
      - {name: first, image: busybox, command: ${sh('sleep 0.2; echo first >> $GITJOBS_VOLUME_WORK/order')}, volumeMounts: [{name: work, mountPath: /work}]}
      - {name: second, image: busybox, command: ${sh('echo second >> $GITJOBS_VOLUME_WORK/order')}, volumeMounts: [{name: work, mountPath: /work}]}
      containers:
      - {name: main, image: busybox, command: ${sh('cat $GITJOBS_VOLUME_WORK/order')}, volumeMounts: [{name: work, mountPath: /work}]}`),
    );
    const j = await finished('ordered');
    expect(condition(j, 'Complete')).toBeDefined();
    const [pod] = pods('ordered');
    expect(logs(pod!.metadata.name, 'main')).toBe('first\nsecond\n');
    expect(pod!.status.initContainerStatuses?.map((c) => c.state.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(pod!.status.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('a failing one fails the pod under restartPolicy Never, and the containers never run', async () => {
    await run(
      'bad-init',
      job('bad-init', '  backoffLimit: 0', `      restartPolicy: Never
      initContainers:
      - {name: setup, image: busybox, command: ${sh('exit 3')}}
      containers:
      - {name: main, image: busybox, command: ${sh('echo ran')}}`),
    );
    const j = await finished('bad-init');
    expect(condition(j, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const [pod] = pods('bad-init');
    expect(pod!.status.phase).toBe('Failed');
    expect(pod!.status.initContainerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);
    expect(pod!.status.containerStatuses?.[0]?.state.waiting?.reason).toBe('PodInitializing');
    expect(d!.cli(['get', 'pods', pod!.metadata.name]).stdout).toMatch(/\s0\/1\s+Init:Error\s+0\s/);
  });

  it('a failing one is restarted in place under restartPolicy OnFailure', async () => {
    const once = 'if [ -e $GITJOBS_VOLUME_WORK/tried ]; then exit 0; fi; touch $GITJOBS_VOLUME_WORK/tried; exit 1';
    await run(
      'retry-init',
      job('retry-init', '  backoffLimit: 3', `      restartPolicy: OnFailure
      volumes: [{name: work, emptyDir: {}}]
      initContainers:
      - {name: setup, image: busybox, command: ${sh(once)}, volumeMounts: [{name: work, mountPath: /work}]}
      containers:
      - {name: main, image: busybox, command: ${sh('echo ran')}}`),
    );
    const j = await finished('retry-init');
    expect(condition(j, 'Complete')).toBeDefined();
    const all = pods('retry-init');
    expect(all).toHaveLength(1);
    expect(all[0]!.status.initContainerStatuses?.[0]?.restartCount).toBe(1);
    expect(logs(all[0]!.metadata.name, 'main')).toBe('ran\n');
  });
});

describe('init containers across a daemon restart', () => {
  it('a SIGKILLed daemon leaves the init container running; the next one re-attaches and goes on to the containers', async () => {
    const dir = tempDir();
    const gate = join(dir, 'go');
    d = await startDaemon({
      dir,
      backoff: '100ms',
      files: {
        'slow-init.yaml': job('slow-init', '  backoffLimit: 0', `      restartPolicy: Never
      initContainers:
      - {name: setup, image: busybox, command: ${sh(`while [ ! -e ${gate} ]; do sleep 0.05; done; echo set up`)}}
      containers:
      - {name: main, image: busybox, command: ${sh('echo ran')}}`),
      },
    });
    await waitFor('init running', () => pods('slow-init')[0]?.status.initContainerStatuses?.[0]?.state.running !== undefined);
    await d.stop('SIGKILL');
    d = await startDaemon({ dir, backoff: '100ms' });
    writeFileSync(gate, '');
    const j = await finished('slow-init');
    expect(condition(j, 'Complete')).toBeDefined();
    const [pod] = pods('slow-init');
    expect(logs(pod!.metadata.name, 'main')).toBe('ran\n');
    expect(pod!.status.initContainerStatuses?.[0]?.state.terminated?.exitCode).toBe(0);
    expect(d.log()).toContain('re-attached to running container');
  });
});

describe('sidecars', () => {
  it('start before the containers and are stopped after them, without keeping the Job from completing', async () => {
    await run(
      'with-sidecar',
      job('with-sidecar', '  completions: 1', `      restartPolicy: Never
      terminationGracePeriodSeconds: 2
      volumes: [{name: work, emptyDir: {}}]
      initContainers:
      - name: proxy
        image: busybox
        restartPolicy: Always
        command: ${sh("trap 'echo stopping; exit 0' TERM; touch $GITJOBS_VOLUME_WORK/up; while true; do sleep 0.1; done")}
        volumeMounts: [{name: work, mountPath: /work}]
      containers:
      - {name: main, image: busybox, command: ${sh('while [ ! -e $GITJOBS_VOLUME_WORK/up ]; do sleep 0.05; done; echo sidecar is up')}, volumeMounts: [{name: work, mountPath: /work}]}`),
    );
    const j = await finished('with-sidecar');
    expect(condition(j, 'Complete')).toBeDefined();
    const [pod] = pods('with-sidecar');
    expect(pod!.status.phase).toBe('Succeeded');
    expect(logs(pod!.metadata.name, 'main')).toBe('sidecar is up\n');
    // The sidecar's TERM handler ran: it was asked to stop, not killed.
    const proxy = pod!.status.initContainerStatuses?.[0];
    expect(proxy?.state.terminated?.exitCode).toBe(0);
    expect(logs(pod!.metadata.name, 'proxy')).toMatch(/stopping\n$/);
  });

  it('a sidecar killed on the way out does not fail the pod', async () => {
    await run(
      'hard-sidecar',
      job('hard-sidecar', '  backoffLimit: 0', `      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      initContainers:
      - {name: proxy, image: busybox, restartPolicy: Always, command: ["sleep", "1000"]}
      containers:
      - {name: main, image: busybox, command: ${sh('sleep 0.2')}}`),
    );
    const j = await finished('hard-sidecar');
    expect(condition(j, 'Complete')).toBeDefined();
    const [pod] = pods('hard-sidecar');
    expect(pod!.status.phase).toBe('Succeeded');
    expect(pod!.status.initContainerStatuses?.[0]?.state.terminated?.exitCode).toBe(143);
  });
});

describe('the pod spec', () => {
  it('activeDeadlineSeconds fails the pod with DeadlineExceeded', async () => {
    await run(
      'pod-deadline',
      job('pod-deadline', '  backoffLimit: 0', `      restartPolicy: Never
      activeDeadlineSeconds: 1
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: busybox, command: ["sleep", "60"]}`),
    );
    const j = await finished('pod-deadline');
    expect(condition(j, 'Failed')?.reason).toBe('BackoffLimitExceeded');
    const [pod] = pods('pod-deadline');
    expect(pod!.status.phase).toBe('Failed');
    expect(pod!.status.reason).toBe('DeadlineExceeded');
    expect(pod!.status.message).toBe('Pod was active on the node longer than the specified deadline');
  });

  it('env valueFrom.fieldRef gives the pod its own name, namespace, uid, labels and completion index', async () => {
    const fieldRef = (name: string, path: string): string => `        - {name: ${name}, valueFrom: {fieldRef: {fieldPath: "${path}"}}}`;
    await run(
      'downward',
      job(
        'downward',
        '  completions: 1\n  completionMode: Indexed',
        `      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        command: ${sh('echo "$POD $NS $UID $TEAM $IX"')}
        env:
${fieldRef('POD', 'metadata.name')}
${fieldRef('NS', 'metadata.namespace')}
${fieldRef('UID', 'metadata.uid')}
${fieldRef('TEAM', "metadata.labels['team']")}
${fieldRef('IX', "metadata.annotations['batch.kubernetes.io/job-completion-index']")}`,
        'team: blue',
      ),
    );
    await finished('downward');
    const [pod] = pods('downward');
    expect(logs(pod!.metadata.name, 'main')).toBe(`${pod!.metadata.name} default ${pod!.metadata.uid} blue 0\n`);
  });

  it('hostname names the pod for its processes', async () => {
    await run('named', job('named', '  completions: 1', `      restartPolicy: Never
      hostname: worker
      subdomain: crew
      containers:
      - {name: main, image: busybox, command: ${sh('echo $HOSTNAME')}}`));
    await finished('named');
    const [pod] = pods('named');
    expect(pod!.spec.hostname).toBe('worker');
    expect(logs(pod!.metadata.name, 'main')).toBe('worker\n');
  });

  it('an emptyDir is a fresh folder per pod, named in GITJOBS_VOLUME_<NAME>, and removed when the pod ends', async () => {
    await run(
      'scratch',
      job('scratch', '  completions: 2', `      restartPolicy: Never
      volumes: [{name: scratch-space, emptyDir: {}}]
      containers:
      - name: main
        image: busybox
        command: ${sh('ls -A "$GITJOBS_VOLUME_SCRATCH_SPACE" | wc -l; touch "$GITJOBS_VOLUME_SCRATCH_SPACE/used"; echo "$GITJOBS_VOLUME_SCRATCH_SPACE"')}
        volumeMounts: [{name: scratch-space, mountPath: /scratch}]`),
    );
    const j = await finished('scratch');
    expect(condition(j, 'Complete')).toBeDefined();
    const outputs = pods('scratch').map((p) => logs(p.metadata.name, 'main').split('\n'));
    expect(outputs).toHaveLength(2);
    for (const [count, dir] of outputs) {
      expect(count!.trim()).toBe('0');
      expect(dir).toContain(d!.stateDir);
      expect(existsSync(dir!)).toBe(false);
    }
    expect(outputs[0]![1]).not.toBe(outputs[1]![1]);
  });
});

describe('pods stopped on purpose', () => {
  it('a pod deleted while its Job wants it gets the DisruptionTarget condition while it terminates', async () => {
    await run(
      'disrupted',
      job('disrupted', '  completions: 1', `      restartPolicy: Never
      containers:
      - {name: main, image: busybox, command: ${sh('_term(){ sleep 3; exit 143; }; trap _term TERM; echo trapped; while true; do sleep 0.1; done')}}`),
    );
    const running = await waitFor('running', () => pods('disrupted').find((p) => p.status.phase === 'Running'));
    // Deleted once its TERM trap is set, so it terminates for seconds however loaded the machine is.
    await waitFor('trap set', () => d!.cli(['logs', running.metadata.name]).stdout.includes('trapped'));
    expect(d!.cli(['delete', 'pod', running.metadata.name, '--wait=false']).code).toBe(0);
    const cond = await waitFor('DisruptionTarget', () => {
      const got = d!.cli(['get', 'pod', running.metadata.name, '-o', 'json']);
      return got.code === 0 ? ((JSON.parse(got.stdout) as Pod).status.conditions ?? []).find((c) => c.type === 'DisruptionTarget') : undefined;
    });
    expect(cond).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });
});
