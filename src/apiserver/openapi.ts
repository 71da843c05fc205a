import { jobSchema, type FieldRule, type FieldType, type ObjectSchema } from '../manifest/fields.js';
import { createHash } from 'node:crypto';
import { groupVersion, type AnyResource, type Obj } from './registry.js';
import { GROUP_VERSIONS, resourcesOf } from './resources.js';
import { KUBE_MINOR } from './version.js';

// OpenAPI documents (v3 per group-version, and v2) for `kubectl explain`,
// `apply` and `diff`. The Job's schema is the manifest checker's field table,
// so what explain shows is what gitjobs accepts, with what it does of each field.

type Style = 'v2' | 'v3';

const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  volumes: 'name',
  imagePullSecrets: 'name',
};

const SUPPORT_TEXT: Record<FieldRule['support'], string> = {
  supported: 'Supported by gitjobs, with Kubernetes semantics.',
  recorded: 'Accepted and kept in the stored manifest, without effect on local processes.',
  ignored: 'Set by the API server; dropped from manifests.',
  refused: 'Refused by gitjobs.',
};

function describe(rule: FieldRule): string {
  const parts = [SUPPORT_TEXT[rule.support]];
  if (rule.default !== undefined) parts.push(`Default: ${rule.default}.`);
  if (rule.note !== undefined) parts.push(rule.refuseWhen === undefined ? `${rule.note[0]!.toUpperCase()}${rule.note.slice(1)}.` : `Refused when set: ${rule.note}.`);
  return parts.join(' ');
}

class Schemas {
  readonly defs: Record<string, Obj> = {};
  private readonly ids = new Map<ObjectSchema, string>();
  constructor(private readonly style: Style) {}

  ref(id: string): string {
    return this.style === 'v3' ? `#/components/schemas/${id}` : `#/definitions/${id}`;
  }

  /** Registers an object schema (once) and returns its id. */
  add(s: ObjectSchema, extra: Obj = {}): string {
    const known = this.ids.get(s);
    if (known !== undefined) return known;
    let id = `io.gitjobs.v1.${s.name}`;
    for (let n = 2; id in this.defs; n++) id = `io.gitjobs.v1.${s.name}${n}`;
    this.ids.set(s, id);
    this.defs[id] = {};
    const properties: Obj = {};
    for (const [name, rule] of s.fields) properties[name] = { ...this.type(rule.type, name), description: describe(rule) };
    this.defs[id] = { type: 'object', description: `${s.name}, as gitjobs reads it.`, properties, ...extra };
    return id;
  }

  type(t: FieldType, field: string): Obj {
    switch (t.t) {
      case 'string':
        return { type: 'string' };
      case 'int32':
      case 'int64':
        return { type: 'integer', format: t.t };
      case 'bool':
        return { type: 'boolean' };
      case 'quantity':
        return { 'x-kubernetes-int-or-string': true, ...(this.style === 'v3' ? { anyOf: [{ type: 'integer' }, { type: 'string' }] } : { type: 'string' }) };
      case 'object': {
        const id = this.add(t.schema);
        return this.style === 'v3' ? { allOf: [{ $ref: this.ref(id) }], default: {} } : { $ref: this.ref(id) };
      }
      case 'array': {
        const key = MERGE_KEYS[field];
        return {
          type: 'array',
          items: this.type(t.of, ''),
          ...(key === undefined ? {} : { 'x-kubernetes-patch-merge-key': key, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] }),
        };
      }
      case 'map':
        return { type: 'object', additionalProperties: this.type(t.of, '') };
      case 'any':
        return {};
    }
  }
}

const gvk = (r: AnyResource): Obj[] => [{ group: r.group, version: r.version, kind: r.kind }];

/** A schema for each kind of the group-version; Jobs' from the field table, the others as open objects. */
function kindSchemas(s: Schemas, rs: AnyResource[]): void {
  for (const r of rs) {
    if (r.kind === 'Job' && r.group === 'batch') {
      const id = s.add(jobSchema, { 'x-kubernetes-group-version-kind': gvk(r) });
      s.defs[`io.k8s.api.batch.v1.Job`] = { ...s.defs[id], description: 'Job represents the configuration of a single job, run by gitjobs as local processes.' };
      continue;
    }
    const prefix = r.group === '' ? 'io.k8s.api.core.v1' : `io.k8s.api.${r.group.split('.')[0]}.v1`;
    s.defs[`${prefix}.${r.kind}`] = {
      type: 'object',
      description: `${r.kind}, as gitjobs serves it.`,
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion of this representation of an object.' },
        kind: { type: 'string', description: 'Kind of this object.' },
        metadata: { type: 'object', description: "Standard object's metadata." },
        spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      'x-kubernetes-group-version-kind': gvk(r),
    };
  }
}

function param(style: Style, name: string, inWhere: 'query' | 'path'): Obj {
  return style === 'v3'
    ? { name, in: inWhere, ...(inWhere === 'path' ? { required: true } : {}), schema: { type: 'string', uniqueItems: true } }
    : { name, in: inWhere, ...(inWhere === 'path' ? { required: true } : {}), type: 'string', uniqueItems: true };
}

/** The operations of each resource, with the query parameters kubectl checks for (dryRun, fieldValidation). */
function paths(style: Style, rs: AnyResource[]): Obj {
  const out: Obj = {};
  for (const r of rs) {
    const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const scope = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}` : `${base}/${r.resource}`;
    const ext = { 'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind } };
    const writeParams = [param(style, 'dryRun', 'query'), param(style, 'fieldManager', 'query'), param(style, 'fieldValidation', 'query')];
    const op = (verb: string, action: string, params: Obj[] = []): Obj | undefined =>
      r.verbs.includes(verb) ? { operationId: `${verb}${r.kind}`, 'x-kubernetes-action': action, ...ext, parameters: params, responses: { '200': { description: 'OK' } } } : undefined;
    const pathParams = [...(r.namespaced ? [param(style, 'namespace', 'path')] : [])];
    out[scope] = clean({ parameters: pathParams, get: op('list', 'list'), post: op('create', 'post', writeParams) });
    out[`${scope}/{name}`] = clean({
      parameters: [...pathParams, param(style, 'name', 'path')],
      get: op('get', 'get'),
      put: op('update', 'put', writeParams),
      patch: op('patch', 'patch', writeParams),
      delete: op('delete', 'delete', [param(style, 'dryRun', 'query')]),
    });
  }
  return out;
}

function clean(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const INFO = { title: 'Kubernetes', version: `v1.${KUBE_MINOR}.0` };

export function openApiV3(group: string, version: string): Obj | undefined {
  const rs = resourcesOf(group, version);
  if (rs.length === 0) return undefined;
  const s = new Schemas('v3');
  kindSchemas(s, rs);
  return { openapi: '3.0.0', info: INFO, paths: paths('v3', rs), components: { schemas: s.defs } };
}

/** `/openapi/v3`: where each group-version's document is, with a hash that changes with it. */
export function openApiV3Index(): Obj {
  const entries: Obj = {};
  for (const g of GROUP_VERSIONS) {
    const rel = g.group === '' ? `api/${g.version}` : `apis/${g.group}/${g.version}`;
    const hash = createHash('sha512').update(JSON.stringify(openApiV3(g.group, g.version))).digest('hex').slice(0, 128).toUpperCase();
    entries[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${hash}` };
  }
  return { paths: entries };
}

export function openApiV2(): Obj {
  const s = new Schemas('v2');
  const all: AnyResource[] = [];
  for (const g of GROUP_VERSIONS) all.push(...resourcesOf(g.group, g.version));
  kindSchemas(s, all);
  return { swagger: '2.0', info: INFO, paths: paths('v2', all), definitions: s.defs };
}

export { groupVersion };
