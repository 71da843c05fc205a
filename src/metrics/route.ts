import type { HttpRoute } from '../http/route.js';
import { sendFailure } from '../http/status.js';
import type { DaemonMetrics } from './daemon-metrics.js';
import { CONTENT_TYPE } from './exposition.js';

/**
 * `GET /metrics`, behind either token: a scrape reads, so the read-only token
 * is the one to give Prometheus (`authorization: {credentials_file: …}`).
 */
export function metricsRoutes(metrics: DaemonMetrics): HttpRoute[] {
  return [
    {
      path: '/metrics',
      auth: 'token',
      handle: async (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendFailure(res, 'MethodNotAllowed', `${req.method ?? ''} /metrics is not supported`);
        const body = await metrics.scrape();
        res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
    },
  ];
}
