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

export class GitjobsError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;

  constructor(code: ErrorCode, message: string, options?: { location?: SourceLocation; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitjobsError';
    this.code = code;
    this.location = options?.location;
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
