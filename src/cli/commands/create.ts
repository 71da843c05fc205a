import { stringify } from 'yaml';
import { parseCommandOrHelp, SCOPE_FLAGS } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { resolveResource } from '../resources.js';
import { stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import { MANIFEST_FLAGS, sendFiles, sendManifests } from './apply.js';

const HELP = `Create a Job from a file or from stdin, from an image and a command, or from a CronJob (kubectl create job).

Usage:
  gitjobs create -f FILENAME [-f FILENAME...]
  gitjobs create job NAME --image=IMAGE [--dry-run=client -o yaml] -- COMMAND [ARG...]
  gitjobs create job NAME --from=cronjob/CRONJOB

Options:
  -f, --filename PATH   a manifest file, a folder of manifests (read recursively), a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --image IMAGE     create job: the container's image (recorded; pods are host processes)
      --from cronjob/X  create job: a run of the CronJob's template now
      --dry-run MODE    client, server or none (default); with -o yaml, prints the manifest instead
  -o, --output FORMAT   with --dry-run: name, json or yaml
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

A Job that already exists is refused (AlreadyExists); use apply to change one.
\`create job NAME --dry-run=client -o yaml -- CMD > jobs/NAME.yaml\` writes a manifest to commit.
`;

export function createCommand(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'job' || argv[0] === 'jobs' || argv[0] === 'job.batch') {
    const rest = argv.slice(1);
    const before = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
    return before.some((a) => a === '--from' || a.startsWith('--from=')) ? createJobFrom(rest, io) : createJob(rest, io);
  }
  return sendManifests('create', HELP, argv, io);
}

/** kubectl's imperative form: a Job of one container named after it, restartPolicy Never, COMMAND after `--`. */
async function createJob(argv: string[], io: Io): Promise<number> {
  const dashes = argv.indexOf('--');
  const command = dashes === -1 ? [] : argv.slice(dashes + 1);
  const parsed = parseCommandOrHelp('create', dashes === -1 ? argv : argv.slice(0, dashes), { ...MANIFEST_FLAGS, image: { type: 'string' } }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw usageError('create job takes one NAME: gitjobs create job NAME --image=IMAGE -- COMMAND', 'create');
  if (values.filename !== undefined) throw usageError('create job NAME takes no -f', 'create');
  const image = values.image as string | undefined;
  if (image === undefined || image === '') {
    throw usageError('create job needs --image=IMAGE -- COMMAND, or --from=cronjob/NAME', 'create');
  }
  const name = positionals[0]!;
  const container: Record<string, unknown> = { name, image };
  if (command.length > 0) container.command = command;
  const manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } } },
  };
  return sendFiles('create', [{ name: `job/${name}`, text: stringify(manifest) }], values, io);
}

/** `kubectl create job NAME --from=cronjob/X`: a run of the CronJob's template now. */
async function createJobFrom(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('create', argv, { from: { type: 'string' }, ...SCOPE_FLAGS }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw usageError('create job needs exactly one NAME', 'create');
  const from = values.from as string;
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
