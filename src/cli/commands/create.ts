import type { Io } from '../io.js';
import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import { callDaemon } from '../control-client.js';
import { resolveResource } from '../resources.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { sendManifests } from './apply.js';

const HELP = `Create a Job from a file or from stdin.

Usage:
  gitjobs create -f FILENAME [-f FILENAME...]
  gitjobs create job NAME --from=cronjob/CRONJOB

Options:
  -f, --filename PATH   a manifest file, a folder of manifests (read recursively), a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

A Job that already exists is refused (AlreadyExists); use apply to change one.
`;

export function createCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'job') return createJobFrom(argv.slice(1), io);
  return sendManifests('create', HELP, argv, io);
}

/** `kubectl create job NAME --from=cronjob/X`: a run of the CronJob's template now. */
async function createJobFrom(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('create', argv, { from: { type: 'string' }, ...SCOPE_FLAGS }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw usageError('create job needs exactly one NAME', 'create');
  const from = values.from as string | undefined;
  if (from === undefined) throw usageError('create job needs --from=cronjob/NAME: gitjobs creates Jobs from manifests (-f) or from a CronJob', 'create');
  const slash = from.indexOf('/');
  if (slash < 0 || resolveResource(from.slice(0, slash)) !== 'cronjobs') {
    throw usageError(`from must be an existing cronjob: ${from}`, 'create');
  }
  await callDaemon(stateDirFrom(values.state as string | undefined), {
    op: 'create-job-from',
    namespace: (values.namespace as string | undefined) ?? 'default',
    name,
    cronJob: from.slice(slash + 1),
  });
  io.out(`job.batch/${name} created\n`);
  return 0;
}
