import type { ControlHandler } from './control.js';

/** Counters for benchmarks and diagnostics: write transactions and the process's I/O. */
export const stats: ControlHandler = (_req, ctx) => ({ ...ctx.stats(), pid: process.pid, rssBytes: process.memoryUsage().rss });
