import { formatIssue, isError, loadManifestFiles } from '../../manifest/index.js';

export interface ValidateIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `gitjobs validate PATH...`: checks manifests the way the daemon would read
 * them and prints every issue as `file:line:col: field: message`. Exit status
 * 1 when any error was found, so it can gate a commit or a CI step.
 */
export async function validateCommand(paths: string[], io: ValidateIO): Promise<number> {
  if (paths.length === 0) {
    io.err('error: specify at least one manifest file or folder');
    return 1;
  }
  const { jobs, issues, files, cronJobs } = await loadManifestFiles(paths);
  let errors = 0;
  let warnings = 0;
  for (const issue of issues) {
    if (issue.code === 'ReadError') {
      io.err(`error: ${issue.file}: ${issue.message}`);
    } else {
      io.out(formatIssue(issue));
    }
    if (isError(issue)) errors++;
    else warnings++;
  }
  const summary = [plural(files.length, 'file'), plural(jobs.length, 'job'), ...(cronJobs === undefined ? [] : [plural(cronJobs.length, 'cronjob')]), plural(errors, 'error')];
  if (warnings > 0) summary.push(plural(warnings, 'warning'));
  io.out(summary.join(', '));
  return errors > 0 ? 1 : 0;
}
