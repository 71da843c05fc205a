import { clockStartingAt, type Clock } from '../../util/clock.js';
import type { Io } from '../io.js';
import { parseCommandOrHelp, parseDuration } from '../args.js';
import { usageError } from '../usage.js';
import type { PodContainmentFlags } from '../../executor/containment/containment.js';
import { parseQuantity } from '../../api/quantity.js';
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_LISTEN, parseListenAddress } from '../../http/listen-address.js';

const HELP = `Watch a folder of Job manifests and run every Job as local processes.

Usage:
  gitjobs daemon [--jobs DIR | --repo URL_OR_PATH [--branch B | --tag T | --commit SHA] [--path SUBDIR] [--interval 30s]
                 [--verify-commits ALLOWED_SIGNERS] [--allow-force-push]]
                 [--state DIR] [--pod-backoff-base DURATION] [--log-format text|json] [--stop-pods]
                 [--pod-user USER[:GROUP]] [--pod-uid-range FIRST-LAST] [--pod-pids-max N] [--pod-log-max-size SIZE]
                 [--pod-pid-namespace]
                 [--node-cpu N] [--node-memory SIZE] [--node-max-pods N] [--secrets DIR]
                 [--listen HOST:PORT | --listen none] [--tls-cert FILE --tls-key FILE] [--events-config FILE]

Options:
  --jobs DIR                  folder of manifests to watch (default ./jobs)
  --repo URL_OR_PATH          a Git repository instead: a local path (bare or not; watched for new commits)
                              or an http(s) URL (polled). Only committed content of the ref counts.
                              Credentials come from GITJOBS_GIT_TOKEN, or GITJOBS_GIT_USERNAME and
                              GITJOBS_GIT_PASSWORD, never from a flag.
  --branch B | --tag T | --commit SHA
                              the ref to follow (default: the repository's default branch)
  --path SUBDIR               only manifests under this folder of the repository; a revision without it is an
                              empty desired state (its Jobs are pruned)
  --require-path              a revision without --path's folder is a source error instead (nothing is pruned)
  --verify-commits ALLOWED_SIGNERS
                              apply a revision only if every new commit (all commits reachable from it and not
                              from the revision applied before; the first revision: its own commit) carries an
                              SSH signature by a key of this allowed_signers file (read at every check)
  --allow-force-push          apply a revision that does not descend from the applied one (refused by default)
  --interval DURATION         polling period for remotes, with jitter (default 30s)
  --state DIR                 state folder: SQLite database, logs, pod records (default $GITJOBS_STATE or ./state)
  --pod-backoff-base DURATION first pod re-creation delay after a failure (default 10s); doubles per failure,
                              capped at 60x (10m); the container restart back-off of OnFailure pods uses it too
  --log-format text|json      daemon log format (default text)
  --stop-pods                 on SIGTERM/SIGINT terminate running pods; by default they keep running and a
                              restarted daemon re-attaches to them
  --history-limit N           runs kept per Job name after their Job is deleted (default 50)
  --log-retention DURATION    logs of deleted runs are removed after this long (default 168h); records stay
  --pod-user USER[:GROUP]     who pods run as when the daemon is root (default $GITJOBS_POD_USER or nobody),
                              without capabilities and with no_new_privs; root keeps the daemon's user
  --pod-uid-range FIRST-LAST  each live pod runs as a uid of its own from this range (with --pod-user's
                              group), so pods cannot read each other's environment or signal each other
  --pod-pids-max N            processes and threads per pod, through its cgroup (default 1024; 0: no limit)
  --pod-log-max-size SIZE     a container's log is rotated past this size, keeping one older file (default 10Mi;
                              0: no cap)
  --pod-pid-namespace         each pod in a PID namespace of its own: it sees only its own processes
                              (costs a few ms per container start)
  --node-cpu N                CPUs pods may request in all (resources.requests.cpu; default: this machine's);
                              a pod that does not fit stays Pending until enough is free
  --node-memory SIZE          memory pods may request in all (default: this machine's total)
  --node-max-pods N           pods admitted at once (default 110, as the kubelet)
  --secrets DIR               Secrets for secretKeyRef and envFrom: DIR/<namespace>/<secret>/<key>, one file per
                              key, owned by the daemon's user, files 0600 and folders 0700 (default <state>/secrets)
  --listen HOST:PORT          serve the Kubernetes API (and console, metrics, webhooks) here (default
                              $GITJOBS_LISTEN or 127.0.0.1:6443; port 0: any free port; none: no listener).
                              Requests need a bearer token from <state>/api-token (or the read-only
                              <state>/api-token-readonly); \`gitjobs kubeconfig\` prints a kubeconfig with it.
                              On loopback without --tls-cert the port serves both http and https (with a
                              certificate made in <state>/api-tls.crt), so kubectl works with no flags
  --tls-cert FILE, --tls-key FILE
                              serve HTTPS only, with this PEM certificate and key; required beyond loopback
  --events-config FILE        webhook receivers (/hooks/NAME), notification targets and commit status, in YAML
                              (default <state>/events.yaml when it exists); secrets come from the files or
                              environment variables it names. See docs/webhooks.md and docs/notifications.md
`;

export async function daemonCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('daemon', argv, {
    jobs: { type: 'string' },
    repo: { type: 'string' },
    branch: { type: 'string' },
    tag: { type: 'string' },
    commit: { type: 'string' },
    path: { type: 'string' },
    'require-path': { type: 'boolean' },
    interval: { type: 'string' },
    'verify-commits': { type: 'string' },
    'allow-force-push': { type: 'boolean' },
    state: { type: 'string' },
    'pod-backoff-base': { type: 'string' },
    'log-format': { type: 'string' },
    'stop-pods': { type: 'boolean' },
    'history-limit': { type: 'string' },
    'log-retention': { type: 'string' },
    'pod-user': { type: 'string' },
    'pod-uid-range': { type: 'string' },
    'pod-pids-max': { type: 'string' },
    'pod-log-max-size': { type: 'string' },
    'pod-pid-namespace': { type: 'boolean' },
    'node-cpu': { type: 'string' },
    'node-memory': { type: 'string' },
    'node-max-pods': { type: 'string' },
    secrets: { type: 'string' },
    listen: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'events-config': { type: 'string' },
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'daemon');
  const format = (values['log-format'] as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(`--log-format must be text or json, not "${format}"`, 'daemon');
  const backoff = parseDuration((values['pod-backoff-base'] as string | undefined) ?? '10s', 'daemon');
  if (backoff <= 0) throw usageError('--pod-backoff-base must be positive', 'daemon');

  const historyLimit = values['history-limit'] === undefined ? 50 : Number(values['history-limit']);
  if (!Number.isInteger(historyLimit) || historyLimit < 0) throw usageError('--history-limit takes a whole number ≥ 0', 'daemon');
  const logRetentionMs = parseDuration((values['log-retention'] as string | undefined) ?? '168h', 'daemon');

  const source = sourceSpec(values);
  const containment = containmentFlags(values);
  const node = nodeFlags(values);
  const listen = listenFlags(values);

  const stateDir = (values.state as string | undefined) ?? process.env.GITJOBS_STATE ?? 'state';
  const { loadEventsConfig } = await import('../../events/config.js');
  const events = loadEventsConfig(values['events-config'] as string | undefined, resolvePath(stateDir));
  const { startDaemon } = await import('../../daemon/daemon.js');
  const { createLogger } = await import('../../util/logger.js');
  const logger = createLogger(format);
  const clockStart = process.env.GITJOBS_CLOCK_START;
  const clock = clockStart === undefined || clockStart === '' ? undefined : clockFrom(clockStart);
  const daemon = await startDaemon({
    ...(clock === undefined ? {} : { clock }),
    source,
    stateDir,
    events,
    podBackoffBaseMs: backoff,
    logger,
    stopPodsOnExit: values['stop-pods'] === true,
    retention: { historyLimit, logRetentionMs },
    containment,
    node,
    ...(values.secrets === undefined ? {} : { secretsDir: values.secrets as string }),
    ...(listen === undefined ? {} : { listen }),
  });
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals): void => {
      logger.info('signal received', { signal: sig });
      void daemon.stop().then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** GITJOBS_CLOCK_START=<RFC 3339 instant>: tests start the daemon's clock there (it then runs at real speed). */
function clockFrom(text: string): Clock {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw usageError(`GITJOBS_CLOCK_START must be an RFC 3339 time, not "${text}"`, 'daemon');
  return clockStartingAt(ms);
}

function containmentFlags(values: Values): Partial<PodContainmentFlags> {
  const out: Partial<PodContainmentFlags> = { pidNamespace: values['pod-pid-namespace'] === true };
  // Like --state, the flag's default can come from the environment (GITJOBS_POD_USER).
  const user = (values['pod-user'] as string | undefined) ?? (process.env.GITJOBS_POD_USER || undefined);
  if (user !== undefined) {
    if (!/^[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$/.test(user)) throw usageError(`--pod-user takes USER or USER:GROUP, not "${user}"`, 'daemon');
    out.podUser = user;
  }
  const range = values['pod-uid-range'] as string | undefined;
  if (range !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(range);
    const first = Number(m?.[1]);
    const last = Number(m?.[2]);
    // Below 1000 are the system's own users; 2^32-1 is (uid_t)-1, "no change" to the kernel.
    if (m === null || first < 1000 || last < first || last >= 2 ** 32 - 1) {
      throw usageError(`--pod-uid-range takes FIRST-LAST, uids from 1000 up (e.g. 100000-165535), not "${range}"`, 'daemon');
    }
    out.podUidRange = { first, last };
  }
  const pids = values['pod-pids-max'] as string | undefined;
  if (pids !== undefined) {
    const n = Number(pids);
    // Threads count against it: below about 16 even an idle Node or JVM cannot start.
    if (!/^\d+$/.test(pids) || (n > 0 && n < 16)) throw usageError('--pod-pids-max takes 0 (no limit) or a whole number ≥ 16', 'daemon');
    out.podPidsMax = n;
  }
  const size = values['pod-log-max-size'] as string | undefined;
  if (size !== undefined) {
    const bytes = size === '0' ? 0 : parseQuantity(size);
    if (bytes === undefined || !Number.isFinite(bytes) || (bytes !== 0 && bytes < 1024)) {
      throw usageError('--pod-log-max-size takes a size of at least 1Ki (10Mi, 500k), or 0 for no cap', 'daemon');
    }
    out.logMaxBytes = Math.floor(bytes);
  }
  return out;
}

function listenFlags(values: Values): import('../../daemon/daemon.js').ListenOptions | undefined {
  const address = (values.listen as string | undefined) ?? (process.env.GITJOBS_LISTEN || DEFAULT_LISTEN);
  const cert = values['tls-cert'] as string | undefined;
  const key = values['tls-key'] as string | undefined;
  if ((cert === undefined) !== (key === undefined)) throw usageError('--tls-cert and --tls-key go together', 'daemon');
  if (address === 'none') {
    if (cert !== undefined) throw usageError('--tls-cert goes with a listener, not --listen none', 'daemon');
    return undefined;
  }
  const parsed = parseListenAddress(address);
  if (!parsed.loopback && cert === undefined) {
    throw usageError(`--listen ${address} is beyond loopback: it needs --tls-cert and --tls-key (and clients need the token)`, 'daemon');
  }
  return { address, ...(cert === undefined || key === undefined ? {} : { tls: { certFile: resolvePath(cert), keyFile: resolvePath(key) } }) };
}

/** The node's allocatable resources, where they differ from this machine's. */
function nodeFlags(values: Values): import('../../daemon/daemon.js').NodeFlags {
  const out: import('../../daemon/daemon.js').NodeFlags = {};
  const cpu = values['node-cpu'] as string | undefined;
  if (cpu !== undefined) {
    const cores = parseQuantity(cpu);
    if (cores === undefined || !Number.isFinite(cores) || cores < 0.001) throw usageError(`--node-cpu takes a number of CPUs (2, 1.5, 500m), not "${cpu}"`, 'daemon');
    out.cpu = cores;
  }
  const memory = values['node-memory'] as string | undefined;
  if (memory !== undefined) {
    const bytes = parseQuantity(memory);
    if (bytes === undefined || !Number.isFinite(bytes) || bytes < 1) throw usageError(`--node-memory takes a size (8Gi, 512Mi), not "${memory}"`, 'daemon');
    out.memory = Math.floor(bytes);
  }
  const pods = values['node-max-pods'] as string | undefined;
  if (pods !== undefined) {
    if (!/^\d+$/.test(pods) || Number(pods) < 1) throw usageError(`--node-max-pods takes a whole number ≥ 1, not "${pods}"`, 'daemon');
    out.maxPods = Number(pods);
  }
  return out;
}

function sourceSpec(values: Values): import('../../daemon/daemon.js').SourceSpec {
  const repo = values.repo as string | undefined;
  const refFlags = (['branch', 'tag', 'commit'] as const).filter((f) => values[f] !== undefined);
  if (repo === undefined) {
    for (const f of [...refFlags, 'path', 'require-path', 'interval', 'verify-commits', 'allow-force-push'] as const) {
      if (values[f] !== undefined) throw usageError(`--${f} goes with --repo`, 'daemon');
    }
    const dir = (values.jobs as string | undefined) ?? 'jobs';
    // A mistyped folder would otherwise run as an empty source, and say so only in a log line.
    if (!isFolder(dir)) throw usageError(`--jobs ${dir}: no such folder${values.jobs === undefined ? ' (the default is ./jobs)' : ''}`, 'daemon');
    return { kind: 'dir', dir };
  }
  if (values.jobs !== undefined) throw usageError('--jobs and --repo are exclusive: a daemon watches one source', 'daemon');
  if (refFlags.length > 1) throw usageError(`--branch, --tag and --commit are exclusive; got ${refFlags.map((f) => `--${f}`).join(' and ')}`, 'daemon');
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(repo)) {
    throw usageError('credentials in --repo would show in ps; put them in GITJOBS_GIT_TOKEN or GITJOBS_GIT_USERNAME/GITJOBS_GIT_PASSWORD', 'daemon');
  }
  const intervalMs = parseDuration((values.interval as string | undefined) ?? '30s', 'daemon');
  if (intervalMs < 1000) throw usageError('--interval must be at least 1s', 'daemon');
  const ref: { branch?: string; tag?: string; commit?: string } = {};
  if (values.branch !== undefined) ref.branch = values.branch as string;
  if (values.tag !== undefined) ref.tag = values.tag as string;
  if (values.commit !== undefined) ref.commit = values.commit as string;
  const spec: import('../../daemon/daemon.js').SourceSpec = { kind: 'git', url: repo, ref, intervalMs };
  if (values.path !== undefined) spec.path = values.path as string;
  if (values['require-path'] === true) {
    if (values.path === undefined) throw usageError('--require-path goes with --path', 'daemon');
    spec.requirePath = true;
  }
  const signers = values['verify-commits'] as string | undefined;
  if (signers !== undefined) {
    if (signers === '') throw usageError('--verify-commits takes the path of an allowed_signers file', 'daemon');
    // The daemon may change folder; the file is read again at every check.
    spec.verifyCommits = resolvePath(signers);
  }
  if (values['allow-force-push'] === true) spec.allowForcePush = true;
  return spec;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
