import type { IncomingMessage } from 'node:http';
import { GitjobsError } from '../errors.js';

// A REST path of the Kubernetes API taken apart once, at the edge:
//   /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]
//   /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]]

export interface ResourcePath {
  group: string;
  version: string;
  /** Set when the path is namespaced (`/namespaces/NS/...`). */
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
}

/** A group-version path (`/api/v1`, `/apis/batch/v1`) or a resource path; undefined: neither. */
export type ParsedPath = { kind: 'groupVersion'; group: string; version: string } | ({ kind: 'resource' } & ResourcePath);

export function parseApiPath(path: string): ParsedPath | undefined {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let namespace: string | undefined;
  // `/namespaces/NS` alone is the Namespace object; with more after it, a namespaced path.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  return { kind: 'resource', group, version, namespace, resource: rest[0]!, name: rest[1], subresource: rest[2] };
}

export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

/** A boolean query parameter as the API server reads one (`true`, `1`). */
export function flag(q: URLSearchParams, name: string): boolean {
  // Python's client sends `True`, as strconv.ParseBool accepts.
  const v = q.get(name)?.toLowerCase();
  return v === 'true' || v === '1' || v === 't';
}

/** A non-negative integer query parameter; BadRequest when it is not one. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new GitjobsError('Usage', `invalid value for ${name}: "${v}"`);
  return n;
}

/** `dryRun=All`; any other value is refused as the API server refuses it. */
export function dryRunOf(q: URLSearchParams, body?: { dryRun?: unknown }): boolean {
  const values = [...q.getAll('dryRun'), ...(Array.isArray(body?.dryRun) ? (body.dryRun as unknown[]).map(String) : [])];
  for (const v of values) if (v !== 'All') throw new GitjobsError('Usage', `dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}
