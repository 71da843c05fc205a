import type { ServerResponse } from 'node:http';
import { coerceError, GitjobsError, type ErrorCode } from '../errors.js';
import { sendFailure, type StatusCause, type StatusDetails } from '../http/status.js';

// The API's failures: a cluster's reason and code, and the details clients
// branch on (the object's name, group and kind; the fields of an Invalid).

export class ApiError extends GitjobsError {
  readonly details: StatusDetails | undefined;
  constructor(code: ErrorCode, message: string, details?: StatusDetails) {
    super(code, message);
    this.details = details;
  }
}

export interface TypeRef {
  resource: string;
  group: string;
  kind: string;
}

/** `jobs.batch`, `pods`: how the API server names a resource in messages. */
export function qualified(t: Pick<TypeRef, 'resource' | 'group'>): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

export function notFound(t: TypeRef, name: string): ApiError {
  return new ApiError('NotFound', `${qualified(t)} "${name}" not found`, { name, group: t.group, kind: t.resource });
}

export function methodNotAllowed(method: string | undefined, what: string): ApiError {
  return new ApiError('MethodNotAllowed', `the server does not allow this method on the requested resource: ${method ?? ''} ${what}`);
}

export function conflict(t: TypeRef, name: string, why: string): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${name}": ${why}`, { name, group: t.group, kind: t.resource });
}

/** Names the object a refusal is about, where the operation that refused did not (a create's body names it). */
export function about(err: unknown, t: TypeRef, name: string): unknown {
  if (!(err instanceof GitjobsError) || err instanceof ApiError || err.code === 'Internal' || err.code === 'Usage' || err.causes !== undefined) return err;
  return new ApiError(err.code, wireMessage(err.message), { name, group: t.group, kind: t.resource });
}

const CAUSE_REASON: Record<string, string> = {
  'Required value': 'FieldValueRequired',
  'field is immutable': 'FieldValueInvalid',
};

/**
 * The messages of the CLI's errors carry kubectl's own prefix ("Error from
 * server (NotFound): "), which kubectl adds itself to a Status: it goes.
 */
function wireMessage(message: string): string {
  return message.replace(/^Error from server \([A-Za-z]+\): /, '').replace(/^error: /, '');
}

/** Any thrown error as a Status response, with the details of the object it is about. */
export function sendApiError(res: ServerResponse, err: unknown, about?: TypeRef & { name?: string }): GitjobsError {
  const e = coerceError(err);
  if (res.headersSent) {
    res.destroy();
    return e;
  }
  let details: StatusDetails | undefined = e instanceof ApiError ? e.details : undefined;
  let message = e.code === 'Internal' ? 'Internal error occurred: ' + e.message : wireMessage(e.message);
  if (details === undefined && about !== undefined && e.code !== 'Internal' && e.code !== 'Usage') {
    details = { ...(about.name === undefined ? {} : { name: about.name }), group: about.group, kind: e.code === 'Invalid' ? about.kind : about.resource };
  }
  if (e.causes !== undefined) {
    const causes: StatusCause[] = e.causes.map((c) => ({ reason: c.reason ?? CAUSE_REASON[c.message] ?? 'FieldValueInvalid', message: c.message, field: c.field }));
    details = { ...details, causes };
  }
  if (e.code === 'Invalid' && about !== undefined) {
    // The API server names the kind with its group: `Job.batch "pi" is invalid: ...`.
    message = message.replace(/^The (\w+) "/, `${about.kind}${about.group === '' ? '' : '.' + about.group} "`);
  }
  sendFailure(res, e.code, message, details);
  return e;
}
