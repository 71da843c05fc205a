import { cronJobs } from './resources/cronjobs.js';
import { coreEvents, eventsV1 } from './resources/events.js';
import { jobs } from './resources/jobs.js';
import { namespaces } from './resources/namespaces.js';
import { pods } from './resources/pods.js';
import { groupVersion, type AnyResource } from './registry.js';

/** What the API serves. CronJobs join as one more row. */
export const RESOURCES: readonly AnyResource[] = [jobs, pods, coreEvents, eventsV1, namespaces, ...cronJobs];

/** The group-versions served, in discovery order (core first). */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = (() => {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
})();

export function findResource(group: string, version: string, resource: string): AnyResource | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function resourcesOf(group: string, version: string): AnyResource[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}
