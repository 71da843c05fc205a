import { parseSelector } from '../api/selector.js';
import { GitjobsError } from '../errors.js';
import { getJobByName, listJobs } from '../store/jobs.js';
import { deleteJob, type Cascade } from '../sync/manual.js';
import type { ControlHandler } from './control.js';

const CASCADES: readonly Cascade[] = ['background', 'foreground', 'orphan'];

/**
 * `gitjobs delete job`: by names, by label selector or all in a namespace.
 * Replies with the uids deleted (the CLI waits on them) and the names not found.
 */
export const deleteJobs: ControlHandler = (req, ctx) => {
  const namespace = typeof req.namespace === 'string' ? req.namespace : 'default';
  const cascade = (typeof req.cascade === 'string' ? req.cascade : 'background') as Cascade;
  if (!CASCADES.includes(cascade)) throw new GitjobsError('Usage', `error: invalid cascade value (${String(req.cascade)})`);
  const names = Array.isArray(req.names) ? req.names.filter((n): n is string => typeof n === 'string') : [];
  const notFound: string[] = [];
  let jobs;
  if (req.all === true || typeof req.selector === 'string') {
    const selector = typeof req.selector === 'string' ? parseSelector(req.selector) : undefined;
    jobs = listJobs(ctx.db, namespace).filter((j) => selector === undefined || selector.matches(j.labels));
  } else {
    jobs = [];
    for (const name of names) {
      const job = getJobByName(ctx.db, namespace, name);
      if (job === undefined) notFound.push(name);
      else jobs.push(job);
    }
  }
  const now = ctx.clock.now();
  const deleted: { name: string; uid: string }[] = [];
  for (const job of jobs) {
    deleteJob(ctx.db, job, cascade, now);
    if (cascade !== 'orphan') ctx.controller.enqueue(job.uid);
    ctx.logger.info('job deleted by request', { job: `${job.namespace}/${job.name}`, cascade });
    deleted.push({ name: job.name, uid: job.uid });
  }
  return { deleted, notFound };
};
