import { GitjobsError } from '../errors.js';

export const ROOT_HELP = `gitjobs runs Kubernetes batch/v1 Jobs as local processes, from a folder or Git repository of manifests.

Basic Commands:
  get           Display one or many resources (jobs, pods, events, sources, notifications)
  describe      Show details of a job or pod
  logs          Print the logs for a container in a pod or job
  events        List events, for one object with --for, as they happen with -w
  history       List the runs of a job, including deleted ones
  rerun         Start a fresh run of a job with its current spec

Changing Jobs:
  apply         Create or update a Job from a file (the mutable fields of an existing one)
  create        Create a Job from a file (refused if it exists)
  diff          Diff the live Jobs against what applying a file would make them
  delete        Delete Jobs (and their pods) or pods
  patch         Update the mutable fields of a Job with a merge patch
  scale         Set a Job's parallelism
  suspend       Suspend a Job: its pods stop and no new ones start
  resume        Resume a suspended Job
  wait          Wait for a condition on Jobs or pods

Daemon:
  daemon        Watch a folder of Job manifests and run them
  sync          Make the running daemon read its source now
  doctor        Report what this host allows a daemon, and what each missing part costs
  kubeconfig    Print a kubeconfig for kubectl and client libraries (the daemon's Kubernetes API)

Manifests:
  validate      Check Job manifests as the API server would (file:line:col: field: message)

Other Commands:
  completion    Output a shell completion script (bash or zsh)
  version       Print the version

Usage:
  gitjobs [-n NAMESPACE] [--state DIR] COMMAND [flags]

Use "gitjobs COMMAND --help" for more information about a given command.
Global flags, before or after the command: -n/--namespace NS, --state DIR (or GITJOBS_STATE; default ./state).
`;

export function usageError(message: string, command?: string): GitjobsError {
  const hint = command ? `See 'gitjobs ${command} --help' for usage.` : `See 'gitjobs --help' for usage.`;
  return new GitjobsError('Usage', `error: ${message}\n${hint}`);
}
