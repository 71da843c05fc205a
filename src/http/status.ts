import type { ServerResponse } from 'node:http';
import { coerceError, type ErrorCode, type GitjobsError } from '../errors.js';

// Failures leave the listener as Kubernetes `Status` objects, so kubectl and
// client libraries print and branch on them as they do against a cluster.

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

const HTTP_CODE: Record<ErrorCode, number> = {
  Usage: 400,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Unauthorized: 401,
  Forbidden: 403,
  MethodNotAllowed: 405,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  NotAcceptable: 406,
  Gone: 410,
  StateLocked: 503,
  StateCorrupt: 500,
  DaemonUnavailable: 503,
  Internal: 500,
};

/** The `reason` a cluster gives for each code (BadRequest where the API server says so). */
const REASON: Partial<Record<ErrorCode, string>> = {
  Usage: 'BadRequest',
  Gone: 'Expired',
  StateLocked: 'ServiceUnavailable',
  DaemonUnavailable: 'ServiceUnavailable',
  StateCorrupt: 'InternalError',
  Internal: 'InternalError',
};

export function httpCode(code: ErrorCode): number {
  return HTTP_CODE[code];
}

/** A `Status` object of kind Failure. */
export function failureStatus(code: ErrorCode, message: string, details?: StatusDetails): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASON[code] ?? code,
    ...(details === undefined ? {} : { details }),
    code: HTTP_CODE[code],
  };
}

export function sendJson(res: ServerResponse, httpStatus: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendFailure(res: ServerResponse, code: ErrorCode, message: string, details?: StatusDetails): void {
  sendJson(res, HTTP_CODE[code], failureStatus(code, message, details));
}

/** Any thrown error as a Status: typed errors keep their code, the rest are internal. */
export function sendError(res: ServerResponse, err: unknown): GitjobsError {
  const e = coerceError(err);
  sendFailure(res, e.code, e.code === 'Internal' ? 'Internal error occurred: ' + e.message : e.message);
  return e;
}
