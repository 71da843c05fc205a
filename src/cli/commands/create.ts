import type { Io } from '../io.js';
import { sendManifests } from './apply.js';

const HELP = `Create a Job from a file or from stdin.

Usage:
  gitjobs create -f FILENAME [-f FILENAME...]

Options:
  -f, --filename PATH   a manifest file, a folder of manifests (read recursively), a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

A Job that already exists is refused (AlreadyExists); use apply to change one.
`;

export function createCommand(argv: string[], io: Io): Promise<number> {
  return sendManifests('create', HELP, argv, io);
}
