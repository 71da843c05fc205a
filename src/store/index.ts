export * from './db.js';
export * from './jobs.js';
export * from './status.js';
export * from './pods.js';
export * from './events.js';
export * from './runs.js';
export * from './sources.js';
export * from './cronjobs.js';
