import type { Io } from '../main.js';
import { parseCommand, parseDuration } from '../args.js';
import { usageError } from '../usage.js';

const HELP = `Watch a folder of Job manifests and run every Job as local processes.

Usage:
  gitjobs daemon [--jobs DIR | --repo URL_OR_PATH [--branch B | --tag T | --commit SHA] [--path SUBDIR] [--interval 30s]]
                 [--state DIR] [--pod-backoff-base DURATION] [--log-format text|json] [--stop-pods]

Options:
  --jobs DIR                  folder of manifests to watch (default ./jobs)
  --repo URL_OR_PATH          a Git repository instead: a local path (bare or not; watched for new commits)
                              or an http(s) URL (polled). Only committed content of the ref counts.
                              Credentials come from GITJOBS_GIT_TOKEN, or GITJOBS_GIT_USERNAME and
                              GITJOBS_GIT_PASSWORD, never from a flag.
  --branch B | --tag T | --commit SHA
                              the ref to follow (default: the repository's default branch)
  --path SUBDIR               only manifests under this folder of the repository
  --interval DURATION         polling period for remotes, with jitter (default 30s)
  --state DIR                 state folder: SQLite database, logs, pod records (default $GITJOBS_STATE or ./state)
  --pod-backoff-base DURATION first pod re-creation delay after a failure (default 10s); doubles per failure,
                              capped at 60x (10m); the container restart back-off of OnFailure pods uses it too
  --log-format text|json      daemon log format (default text)
  --stop-pods                 on SIGTERM/SIGINT terminate running pods; by default they keep running and a
                              restarted daemon re-attaches to them
  --history-limit N           runs kept per Job name after their Job is deleted (default 50)
  --log-retention DURATION    logs of deleted runs are removed after this long (default 168h); records stay
`;

export async function daemonCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('daemon', argv, {
    jobs: { type: 'string' },
    repo: { type: 'string' },
    branch: { type: 'string' },
    tag: { type: 'string' },
    commit: { type: 'string' },
    path: { type: 'string' },
    interval: { type: 'string' },
    state: { type: 'string' },
    'pod-backoff-base': { type: 'string' },
    'log-format': { type: 'string' },
    'stop-pods': { type: 'boolean' },
    'history-limit': { type: 'string' },
    'log-retention': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'daemon');
  const format = (values['log-format'] as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(`--log-format must be text or json, not "${format}"`, 'daemon');
  const backoff = parseDuration((values['pod-backoff-base'] as string | undefined) ?? '10s');
  if (backoff <= 0) throw usageError('--pod-backoff-base must be positive', 'daemon');

  const historyLimit = values['history-limit'] === undefined ? 50 : Number(values['history-limit']);
  if (!Number.isInteger(historyLimit) || historyLimit < 0) throw usageError('--history-limit takes a whole number ≥ 0', 'daemon');
  const logRetentionMs = parseDuration((values['log-retention'] as string | undefined) ?? '168h');

  const source = sourceSpec(values);

  const { startDaemon } = await import('../../daemon/daemon.js');
  const { createLogger } = await import('../../util/logger.js');
  const logger = createLogger(format);
  const daemon = await startDaemon({
    source,
    stateDir: (values.state as string | undefined) ?? process.env.GITJOBS_STATE ?? 'state',
    podBackoffBaseMs: backoff,
    logger,
    stopPodsOnExit: values['stop-pods'] === true,
    retention: { historyLimit, logRetentionMs },
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

function sourceSpec(values: Values): import('../../daemon/daemon.js').SourceSpec {
  const repo = values.repo as string | undefined;
  const refFlags = (['branch', 'tag', 'commit'] as const).filter((f) => values[f] !== undefined);
  if (repo === undefined) {
    for (const f of [...refFlags, 'path', 'interval'] as const) {
      if (values[f] !== undefined) throw usageError(`--${f} goes with --repo`, 'daemon');
    }
    return { kind: 'dir', dir: (values.jobs as string | undefined) ?? 'jobs' };
  }
  if (values.jobs !== undefined) throw usageError('--jobs and --repo are exclusive: a daemon watches one source', 'daemon');
  if (refFlags.length > 1) throw usageError(`--branch, --tag and --commit are exclusive; got ${refFlags.map((f) => `--${f}`).join(' and ')}`, 'daemon');
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(repo)) {
    throw usageError('credentials in --repo would show in ps; put them in GITJOBS_GIT_TOKEN or GITJOBS_GIT_USERNAME/GITJOBS_GIT_PASSWORD', 'daemon');
  }
  const intervalMs = parseDuration((values.interval as string | undefined) ?? '30s');
  if (intervalMs < 1000) throw usageError('--interval must be at least 1s', 'daemon');
  const ref: { branch?: string; tag?: string; commit?: string } = {};
  if (values.branch !== undefined) ref.branch = values.branch as string;
  if (values.tag !== undefined) ref.tag = values.tag as string;
  if (values.commit !== undefined) ref.commit = values.commit as string;
  const spec: import('../../daemon/daemon.js').SourceSpec = { kind: 'git', url: repo, ref, intervalMs };
  if (values.path !== undefined) spec.path = values.path as string;
  return spec;
}
