// Errors that cross module boundaries carry a stable code, so the CLI can map
// them to exit codes and messages without matching on text.

export type ErrorCode =
  | 'Usage'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Gone'
  | 'StateLocked'
  | 'StateCorrupt'
  | 'DaemonUnavailable'
  | 'Internal';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  field?: string;
}

/** One field an Invalid error is about, as a Kubernetes Status cause. */
export interface FieldCause {
  field: string;
  message: string;
  /** FieldValueInvalid, FieldValueRequired, ...; FieldValueInvalid when unset. */
  reason?: string;
}

export class GitjobsError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly causes: FieldCause[] | undefined;

  constructor(code: ErrorCode, message: string, options?: { location?: SourceLocation; cause?: unknown; causes?: FieldCause[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitjobsError';
    this.code = code;
    this.location = options?.location;
    this.causes = options?.causes;
  }

  toJSON(): { code: ErrorCode; message: string; location?: SourceLocation } {
    return this.location === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, location: this.location };
  }
}

export function coerceError(err: unknown): GitjobsError {
  if (err instanceof GitjobsError) return err;
  return new GitjobsError('Internal', errorMessage(err), { cause: err });
}

/** The message of whatever was thrown, for logs and reports (never to decide on: use `code`). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A log line's `error` (the message) and `code`: the root cause's (SQLITE_FULL,
 * ENOSPC …), also under a GitjobsError that wraps it, so a reader of the log
 * decides on the code and never on the text.
 */
export function errorFields(err: unknown): { error: string; code?: string } {
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
  }
  return code === undefined ? { error: errorMessage(err) } : { error: errorMessage(err), code };
}
