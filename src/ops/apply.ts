import { coerceError } from '../errors.js';
import type { Job } from '../api/types.js';
import { formatIssue, parseManifest, type ParsedJob } from '../manifest/index.js';
import { applyJob, type ApplyMode, type ApplyResult } from '../sync/manual.js';
import type { ControlHandler, ControlRequest, DaemonContext } from './control.js';

export interface ManifestFile {
  name: string;
  text: string;
}

/** One line of the answer, in document order: `job.batch/pi created`, or an error. A dry run adds the Job it would store. */
export type ApplyLine = { name: string; outcome: string; job?: Job } | { error: string };

/** Thrown inside a dry run's transaction so that nothing of it is kept. */
class DryRunRollback extends Error {}

/** applyJob, or (a server dry run) what applyJob would store, with every write rolled back. */
function applyOrDryRun(ctx: DaemonContext, parsed: ParsedJob, mode: ApplyMode, dryRun: boolean): ApplyResult {
  if (!dryRun) return applyJob(ctx.db, parsed, mode, ctx.clock.now());
  let result: ApplyResult | undefined;
  try {
    ctx.db.transaction(() => {
      result = applyJob(ctx.db, parsed, mode, ctx.clock.now());
      throw new DryRunRollback();
    })();
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  return result!;
}

/**
 * `gitjobs apply` and `gitjobs create`: the CLI sends the files it read; each
 * valid document is applied on its own, an invalid one is reported with its
 * location and nothing of it is applied.
 */
function applyFiles(mode: ApplyMode, dryRun = false): ControlHandler {
  return (req: ControlRequest, ctx: DaemonContext) => {
    const files = readFiles(req);
    const lines: ApplyLine[] = [];
    const warnings: string[] = [];
    for (const file of files) {
      const { jobs, issues, cronJobs } = parseManifest(file.text, file.name);
      // A CronJob keeps a schedule across restarts only as the source's: it is read from there.
      for (const c of cronJobs ?? []) {
        lines.push({ error: `${c.file}:${c.line}: cronjobs.batch "${c.name}": ${mode} of a CronJob is not supported; commit it to the watched folder or repository` });
      }
      for (const issue of issues) {
        if (issue.severity === 'error') lines.push({ error: formatIssue(issue) });
        else warnings.push(formatIssue(issue));
      }
      for (const parsed of jobs) {
        try {
          const { job, outcome } = applyOrDryRun(ctx, parsed, mode, dryRun);
          if (dryRun) {
            lines.push({ name: job.name, outcome, job });
            continue;
          }
          if (outcome !== 'unchanged') ctx.controller.enqueue(job.uid);
          if (outcome !== 'unchanged') ctx.logger.info(`job ${outcome}`, { job: `${job.namespace}/${job.name}`, by: mode });
          lines.push({ name: job.name, outcome });
        } catch (err) {
          const e = coerceError(err);
          if (e.code === 'Internal') throw e;
          lines.push({ error: e.message });
        }
      }
    }
    return { lines, warnings };
  };
}

function readFiles(req: ControlRequest): ManifestFile[] {
  const files = req.files;
  if (!Array.isArray(files)) return [];
  return files.filter(
    (f): f is ManifestFile => typeof f === 'object' && f !== null && typeof (f as ManifestFile).name === 'string' && typeof (f as ManifestFile).text === 'string',
  );
}

export const apply = applyFiles('apply');
export const create = applyFiles('create');
// Operations of their own, not a flag: a daemon that predates them refuses them instead of applying.
export const applyDryRun = applyFiles('apply', true);
export const createDryRun = applyFiles('create', true);
