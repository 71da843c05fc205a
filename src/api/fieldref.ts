import type { Pod } from './types.js';

/** Where the pod runs, for the downward-API fields that describe the node. */
export interface NodeRef {
  name: string;
  ip?: string;
}

/**
 * The downward-API `fieldRef` paths a container's env can use, resolved as the
 * kubelet does. Unknown paths give undefined, so callers decide what to show.
 */
export function resolveFieldRef(pod: Pod, path: string, node?: NodeRef): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m !== null) return (m[1] === 'labels' ? pod.labels : pod.annotations)[m[2] ?? ''];
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'spec.nodeName':
      return node?.name;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName;
    case 'spec.hostname':
      return pod.spec.hostname ?? pod.name;
    case 'status.hostIP':
      return node?.ip;
    default:
      return undefined;
  }
}
