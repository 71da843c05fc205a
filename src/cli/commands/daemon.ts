import type { Io } from '../main.js';
import { parseCommand, parseDuration } from '../args.js';
import { usageError } from '../usage.js';

const HELP = `Watch a folder of Job manifests and run every Job as local processes.

Usage:
  gitjobs daemon [--jobs DIR] [--state DIR] [--pod-backoff-base DURATION] [--log-format text|json] [--stop-pods]

Options:
  --jobs DIR                  folder of manifests to watch (default ./jobs)
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

  const { startDaemon } = await import('../../daemon/daemon.js');
  const { createLogger } = await import('../../util/logger.js');
  const logger = createLogger(format);
  const daemon = await startDaemon({
    jobsDir: (values.jobs as string | undefined) ?? 'jobs',
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
