import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import { usageError } from '../usage.js';
import { jobNames, sendPatch } from './patch.js';

const HELP = `Set a new size for a Job: its parallelism.

Usage:
  gitjobs scale --replicas=COUNT (job NAME | job/NAME) [flags]

Options:
      --replicas COUNT   the new spec.parallelism (0 or more; 0 stops creating pods)
  -n, --namespace NS     namespace (default "default")
      --state DIR        state folder (default $GITJOBS_STATE or ./state)
`;

export async function scaleCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('scale', argv, {
    replicas: { type: 'string' },
    ...SCOPE_FLAGS,
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (values.replicas === undefined) throw usageError('required flag(s) "replicas" not set', 'scale');
  const replicas = Number(values.replicas);
  if (!/^-?\d+$/.test(values.replicas as string) || replicas < 0) {
    throw usageError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0', 'scale');
  }
  const names = jobNames(positionals, 'scale');
  for (const name of names) {
    await sendPatch(values, name, { spec: { parallelism: replicas } });
    io.out(`job.batch/${name} scaled\n`);
  }
  return 0;
}
