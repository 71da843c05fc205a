import { groupVersion, type AnyResource, type Obj } from './registry.js';
import { GROUP_VERSIONS, resourcesOf, RESOURCES } from './resources.js';

// Discovery, built from the resource table: the legacy documents (/api,
// /apis, /api/v1, /apis/GROUP/VERSION) and the aggregated one kubectl 1.30+
// asks for first (apidiscovery.k8s.io/v2).

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (!params.includes('as=APIGroupDiscoveryList') || !params.includes('g=apidiscovery.k8s.io')) continue;
    if (params.includes('v=v2')) return 'v2';
    if (params.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

export function apiVersions(host: string): Obj {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

const namedGroups = (): string[] => [...new Set(GROUP_VERSIONS.map((g) => g.group).filter((g) => g !== ''))];

export function apiGroupList(): Obj {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: namedGroups().map((name) => {
      const versions = GROUP_VERSIONS.filter((g) => g.group === name).map((g) => ({ groupVersion: `${name}/${g.version}`, version: g.version }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

export function apiResourceList(group: string, version: string): Obj | undefined {
  const rs = resourcesOf(group, version);
  if (rs.length === 0) return undefined;
  const resources: Obj[] = [];
  for (const r of rs) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length === 0 ? {} : { shortNames: r.shortNames }),
      ...(r.categories.length === 0 ? {} : { categories: r.categories }),
    });
    for (const s of r.subresources) {
      resources.push({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

function discoveryResource(r: AnyResource): Obj {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length === 0 ? {} : { shortNames: r.shortNames }),
    ...(r.categories.length === 0 ? {} : { categories: r.categories }),
    ...(r.subresources.length === 0
      ? {}
      : { subresources: r.subresources.map((s) => ({ subresource: s.name, responseKind: { group: r.group, version: r.version, kind: s.kind }, verbs: s.verbs })) }),
  };
}

/** The aggregated document of the core group (`/api`) or of the named groups (`/apis`). */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1'): Obj {
  const groups = core ? [''] : namedGroups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((name) => ({
      metadata: { name, creationTimestamp: null },
      versions: GROUP_VERSIONS.filter((g) => g.group === name).map((g) => ({
        version: g.version,
        resources: RESOURCES.filter((r) => r.group === name && r.version === g.version).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}
