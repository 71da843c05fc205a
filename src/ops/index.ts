import type { ControlHandler } from './control.js';
import { apply, applyDryRun, create, createDryRun } from './apply.js';
import { createJobFromOp, deleteCronJobsOp, patchCronJobOp } from './cronjob.js';
import { deletePods } from './delete-pod.js';
import { deleteJobs } from './delete.js';
import { patch } from './patch.js';
import { ping } from './ping.js';
import { rerun } from './rerun.js';
import { stats } from './stats.js';
import { sync } from './sync.js';

// One module per operation; register each here.
export const handlers: Readonly<Record<string, ControlHandler>> = {
  ping,
  apply,
  create,
  'create-job-from': createJobFromOp,
  'delete-cronjob': deleteCronJobsOp,
  'patch-cronjob': patchCronJobOp,
  'apply-dry-run': applyDryRun,
  'create-dry-run': createDryRun,
  delete: deleteJobs,
  'delete-pod': deletePods,
  patch,
  rerun,
  stats,
  sync,
};
