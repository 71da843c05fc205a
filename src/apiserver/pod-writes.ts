import { toPodObject } from '../cli/print/objects.js';
import { deletePods } from '../ops/delete-pod.js';
import { getPod, getPodByName } from '../store/pods.js';
import { isObject, readObjectBody } from './body.js';
import { withVersion } from './list.js';
import type { Writes } from './registry.js';
import { dryRunOf, intParam } from './request.js';
import { sendObject } from './respond.js';
import { notFound } from './status-error.js';
import { objectVersion } from './versions.js';

const POD = { resource: 'pods', group: '', kind: 'Pod' };

/** DELETE of a pod is `gitjobs delete pod`: the same operation, which answers with what it deleted. */
export const podWrites: Writes = {
  async delete(w) {
    const body = await readObjectBody(w.req);
    const options = isObject(body) ? body : {};
    const name = w.path.name!;
    const grace = intParam(w.query, 'gracePeriodSeconds') ?? (typeof options.gracePeriodSeconds === 'number' ? options.gracePeriodSeconds : undefined);
    if (dryRunOf(w.query, options)) {
      const pod = getPodByName(w.ctx.db, w.namespace, name);
      if (pod === undefined) throw notFound(POD, name);
      return sendObject(w.res, 200, withVersion(toPodObject(pod), objectVersion(w.ctx, 'pods', pod.uid)));
    }
    const reply = (await deletePods({ op: 'delete-pod', namespace: w.namespace, names: [name], ...(grace === undefined ? {} : { gracePeriod: grace }) }, w.ctx)) as {
      deleted: { name: string; uid: string }[];
    };
    const uid = reply.deleted[0]?.uid;
    if (uid === undefined) throw notFound(POD, name);
    const pod = getPod(w.ctx.db, uid);
    if (pod === undefined) {
      return sendObject(w.res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'pods', uid } });
    }
    sendObject(w.res, 200, withVersion(toPodObject(pod), objectVersion(w.ctx, 'pods', uid)));
  },
};
