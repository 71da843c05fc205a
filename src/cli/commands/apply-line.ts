import type { Job } from '../../api/types.js';

/**
 * One object's outcome of an apply or create. A dry run's line carries what
 * would be stored: the Job (server), or the manifest as read (client).
 */
export type Line = { name: string; outcome: string; job?: Job; manifest?: unknown } | { error: string };
