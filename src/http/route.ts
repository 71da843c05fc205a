import type { IncomingMessage, ServerResponse } from 'node:http';

// What the daemon's HTTP listener serves is a list of routes: the Kubernetes
// API, the console, metrics and webhooks each bring their own, and the server
// only authenticates, bounds and dispatches.

/** What the request's bearer token allows. `none`: the route authenticates the request itself. */
export type Access = 'write' | 'read' | 'none';

export interface HttpRoute {
  /** An exact path, or a prefix when it ends with `/`; the longest match wins. */
  path: string;
  /**
   * `token`: a bearer token is required, and a read-only token may only GET
   * (HEAD, OPTIONS); `none`: served to anyone, for routes that check a
   * signature of their own (webhooks) or serve nothing secret (health).
   */
  auth: 'token' | 'none';
  handle(req: IncomingMessage, res: ServerResponse, access: Access): Promise<void> | void;
}

/** Methods that change nothing, so a read-only token may use them. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** The route serving `path`: exact paths first, then the longest prefix. */
export function matchRoute(routes: readonly HttpRoute[], path: string): HttpRoute | undefined {
  let best: HttpRoute | undefined;
  for (const r of routes) {
    if (r.path.endsWith('/') ? path.startsWith(r.path) || path === r.path.slice(0, -1) : path === r.path) {
      if (!r.path.endsWith('/')) return r;
      if (best === undefined || r.path.length > best.path.length) best = r;
    }
  }
  return best;
}
