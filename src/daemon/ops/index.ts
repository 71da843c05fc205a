import type { ControlHandler } from '../control.js';
import { apply, create } from './apply.js';
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
  delete: deleteJobs,
  'delete-pod': deletePods,
  patch,
  rerun,
  stats,
  sync,
};
