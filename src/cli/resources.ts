import { GitjobsError } from '../errors.js';
import { usageError } from './usage.js';

export type Resource = 'jobs' | 'cronjobs' | 'pods' | 'events' | 'sources' | 'notifications';

const ALIASES: Record<string, Resource> = {
  job: 'jobs',
  jobs: 'jobs',
  'job.batch': 'jobs',
  'jobs.batch': 'jobs',
  'job.v1.batch': 'jobs',
  'jobs.v1.batch': 'jobs',
  cj: 'cronjobs',
  cronjob: 'cronjobs',
  cronjobs: 'cronjobs',
  'cronjob.batch': 'cronjobs',
  'cronjobs.batch': 'cronjobs',
  'cronjob.v1.batch': 'cronjobs',
  'cronjobs.v1.batch': 'cronjobs',
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  ev: 'events',
  event: 'events',
  events: 'events',
  source: 'sources',
  sources: 'sources',
  notification: 'notifications',
  notifications: 'notifications',
};

/** kubectl's qualified names, used in NotFound errors and `-o name`. */
export const QUALIFIED: Record<Resource, string> = { jobs: 'jobs.batch', cronjobs: 'cronjobs.batch', pods: 'pods', events: 'events', sources: 'sources', notifications: 'notifications' };

export function resolveResource(word: string): Resource {
  const r = ALIASES[word.toLowerCase()];
  if (r === undefined) {
    throw new GitjobsError('Usage', `error: the server doesn't have a resource type "${word}"`);
  }
  return r;
}

export interface ResourceArgs {
  resource: Resource;
  names: string[];
}

/** Accepts `jobs a b`, `job/a`, and `jobs/a pods/b` of one kind, as kubectl does. */
export function parseResourceArgs(positionals: string[], command: string): ResourceArgs {
  const [first, ...rest] = positionals;
  if (first === undefined) {
    const kinds = command === 'get' ? '"jobs", "pods", "events" or "sources"' : '"jobs" or "pods"';
    throw usageError(`You must specify the type of resource to ${command}. Use "gitjobs ${command} TYPE" with TYPE one of ${kinds}`, command);
  }
  if (first.includes('/')) {
    let resource: Resource | undefined;
    const names: string[] = [];
    for (const p of positionals) {
      const slash = p.indexOf('/');
      if (slash === -1) throw usageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form`, command);
      const r = resolveResource(p.slice(0, slash));
      if (resource !== undefined && r !== resource) throw usageError('mixing resource kinds in one command is not supported', command);
      resource = r;
      names.push(p.slice(slash + 1));
    }
    return { resource: resource!, names };
  }
  return { resource: resolveResource(first), names: rest };
}

/** The object, or kubectl's NotFound error for it. */
export function found<T>(value: T | undefined, resource: Resource, name: string): T {
  if (value === undefined) throw notFound(resource, name);
  return value;
}

export function notFound(resource: Resource, name: string): GitjobsError {
  return new GitjobsError('NotFound', `Error from server (NotFound): ${QUALIFIED[resource]} "${name}" not found`);
}
