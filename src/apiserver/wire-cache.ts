import type { DaemonContext } from '../ops/control.js';
import { toJobObject } from '../cli/print/objects.js';
import { getJob, listJobs, listJobUids } from '../store/jobs.js';
import { getJobStatus, listJobStatuses } from '../store/status.js';
import { objectVersions } from './versions.js';

// A whole list of Jobs, as informers and `-o json` read it, mostly repeats
// the last one: each Job's JSON is kept with the resourceVersion it was made
// at, and only Jobs whose version moved since are read and converted again.
// The change log bumps a Job's version on every write to it or its status,
// so a kept text is never stale.

interface Entry {
  rv: string;
  text: string;
}

const caches = new WeakMap<object, Map<string, Entry>>();

/** Past this many changed Jobs one read of all of them beats reading each. */
const READ_ALL_PAST = 200;

/** The JSON texts of the namespace's Jobs (all when undefined), in listing order. */
export function jobTexts(ctx: DaemonContext, namespace: string | undefined): string[] {
  let cache = caches.get(ctx.db);
  if (cache === undefined) caches.set(ctx.db, (cache = new Map()));
  const uids = listJobUids(ctx.db, namespace);
  const versions = objectVersions(ctx, 'jobs', uids);
  const stale = uids.filter((u) => cache.get(u)?.rv !== versions.get(u));
  const put = (uid: string, text: string): void => void cache.set(uid, { rv: versions.get(uid)!, text });
  if (stale.length > READ_ALL_PAST) {
    const wanted = new Set(stale);
    const statuses = listJobStatuses(ctx.db);
    for (const job of listJobs(ctx.db, namespace)) if (wanted.has(job.uid)) put(job.uid, textOf(toJobObject(job, statuses.get(job.uid)), versions.get(job.uid)!));
  } else {
    for (const uid of stale) {
      const job = getJob(ctx.db, uid);
      if (job !== undefined) put(uid, textOf(toJobObject(job, getJobStatus(ctx.db, uid)), versions.get(uid)!));
    }
  }
  if (namespace === undefined && cache.size > uids.length) {
    // Deleted Jobs' texts go when a list of all of them shows they are gone.
    const live = new Set(uids);
    for (const uid of cache.keys()) if (!live.has(uid)) cache.delete(uid);
  }
  const out: string[] = [];
  for (const uid of uids) {
    const e = cache.get(uid);
    if (e !== undefined && e.rv === versions.get(uid)) out.push(e.text);
  }
  return out;
}

function textOf(o: Record<string, unknown>, rv: string): string {
  return JSON.stringify({ ...o, metadata: { ...(o.metadata as Record<string, unknown>), resourceVersion: rv } });
}
