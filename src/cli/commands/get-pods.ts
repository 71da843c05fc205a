import { isPodGone } from '../../api/pods.js';
import type { Pod } from '../../api/types.js';
import { getPodByName, listPods, listPodsWithLabels } from '../../store/pods.js';
import { printPodsTable } from '../print/pods-table.js';
import { found } from '../resources.js';
import type { GetKind } from './get-kind.js';

export const podsKind: GetKind<Pod> = {
  load(db, { names, namespace, labelHint }) {
    const pods =
      names.length > 0
        ? names.map((n) => found(getPodByName(db, namespace ?? 'default', n), 'pods', n))
        : (Object.keys(labelHint).length > 0 ? listPodsWithLabels(db, namespace, labelHint) : listPods(db, namespace)).filter((p) => !isPodGone(p));
    return pods.map((pod) => ({ name: pod.name, namespace: pod.namespace, labels: pod.labels, item: pod }));
  },
  table: printPodsTable,
  uid: (p) => p.uid,
};
