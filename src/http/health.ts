import type { HttpRoute } from './route.js';

/** `/healthz`, `/livez`, `/readyz`: answered without a token, as a cluster's are. */
export function healthRoutes(): HttpRoute[] {
  const ok: HttpRoute['handle'] = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
    res.end('ok');
  };
  return ['/healthz', '/livez', '/readyz'].map((path) => ({ path, auth: 'none' as const, handle: ok }));
}
