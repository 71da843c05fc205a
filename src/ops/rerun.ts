import { GitjobsError } from '../errors.js';
import { getJobByName } from '../store/jobs.js';
import type { ControlHandler } from './control.js';

/** `gitjobs rerun job NAME`: a fresh run of an unchanged spec. */
export const rerun: ControlHandler = async (req, ctx) => {
  const namespace = typeof req.namespace === 'string' ? req.namespace : 'default';
  const name = String(req.name ?? '');
  const job = getJobByName(ctx.db, namespace, name);
  if (job === undefined) throw new GitjobsError('NotFound', `Error from server (NotFound): jobs.batch "${name}" not found`);
  const next = await ctx.reruns.request(job);
  return { name: next.name, namespace: next.namespace, uid: next.uid, previousUid: job.uid };
};
