import type { AnyResource } from '../registry.js';

// batch/v1 cronjobs join here once the store has CronJobs: one more row, as jobs.ts is.
export const cronJobs: readonly AnyResource[] = [];
