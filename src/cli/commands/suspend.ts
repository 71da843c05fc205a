import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import type { Io } from '../io.js';
import { jobNames, sendPatch } from './patch.js';

const help = (verb: 'suspend' | 'resume'): string => `${
  verb === 'suspend'
    ? 'Suspend Jobs: their running pods are stopped (not counted as failed) and no new pod starts.'
    : 'Resume suspended Jobs: pods start again and the active deadline counts from now.'
}

Usage:
  gitjobs ${verb} (job NAME... | job/NAME... | NAME...) [flags]

Options:
  -n, --namespace NS   namespace (default "default")
      --state DIR      state folder (default $GITJOBS_STATE or ./state)

The same as: gitjobs patch job NAME -p '{"spec":{"suspend":${verb === 'suspend'}}}'
`;

/** `gitjobs suspend` and `gitjobs resume`: spec.suspend set to true or false. */
export async function setSuspended(verb: 'suspend' | 'resume', argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp(verb, argv, {
    ...SCOPE_FLAGS,
  }, help(verb), io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const past = verb === 'suspend' ? 'suspended' : 'resumed';
  for (const name of jobNames(positionals, verb)) {
    const changed = await sendPatch(values, name, { spec: { suspend: verb === 'suspend' } });
    io.out(`job.batch/${name} ${past}${changed ? '' : ' (no change)'}\n`);
  }
  return 0;
}

export function suspendCommand(argv: string[], io: Io): Promise<number> {
  return setSuspended('suspend', argv, io);
}
