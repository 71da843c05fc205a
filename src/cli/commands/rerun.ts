import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { parseResourceArgs } from '../resources.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `Start a fresh run of a Job with its current spec.

Usage:
  gitjobs rerun job NAME | gitjobs rerun jobs/NAME

The current run is deleted (running pods are terminated gracefully, its record
and logs are kept in the history) and a new Job with a new uid starts. Changing
the annotation gitjobs.io/run in the manifest does the same from the source.
Options:
  -n, --namespace NS   namespace (default "default")
      --state DIR      state folder (default $GITJOBS_STATE or ./state)
`;

export async function rerunCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('rerun', argv, {
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const { resource, names } = parseResourceArgs(positionals, 'rerun');
  if (resource !== 'jobs' || names.length !== 1) throw usageError('rerun takes one job: gitjobs rerun job NAME', 'rerun');
  const reply = await callDaemon(stateDirFrom(values.state as string | undefined), {
    op: 'rerun',
    namespace: (values.namespace as string | undefined) ?? 'default',
    name: names[0]!,
  });
  io.out(`job.batch/${String(reply.name)} rerun (uid ${String(reply.uid)})\n`);
  return 0;
}
