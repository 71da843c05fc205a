import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonContext } from '../daemon/control.js';
import type { AnyResource } from './registry.js';
import { methodNotAllowed } from './status-error.js';

export function serveWatch(_ctx: DaemonContext, _r: AnyResource, _namespace: string | undefined, _q: URLSearchParams, req: IncomingMessage, _res: ServerResponse): void {
  throw methodNotAllowed(req.method, 'watch');
}
