import { GitjobsError } from '../errors.js';
import { patchJob } from '../sync/manual.js';
import type { ControlHandler } from './control.js';

/** `gitjobs patch`, `scale`, `suspend`, `resume`: a merge patch of a Job's mutable fields. */
export const patch: ControlHandler = (req, ctx) => {
  const namespace = typeof req.namespace === 'string' ? req.namespace : 'default';
  if (typeof req.name !== 'string') throw new GitjobsError('Usage', 'error: patch needs a Job name');
  const { job, changed } = patchJob(ctx.db, namespace, req.name, req.patch);
  if (changed) {
    ctx.controller.enqueue(job.uid);
    ctx.logger.info('job patched', { job: `${job.namespace}/${job.name}`, generation: job.generation });
  }
  return { name: job.name, changed };
};
