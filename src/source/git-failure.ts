// Why a Git source is not ready, with the reasons Flux's source-controller
// users know, and how each maps to the error a `gitjobs sync` returns.
import type { ErrorCode } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { AuthOutcome } from './git-auth.js';

export type FailureReason =
  | 'FetchFailed'
  | 'AuthenticationFailed'
  | 'NonFastForward'
  | 'RefNotFound'
  | 'CorruptRepository'
  /** A commit of the new revision is unsigned, or not signed by an allowed key (Flux's SourceVerified reason). */
  | 'InvalidCommitSignature'
  /** Signatures could not be checked at all (allowed signers file unreadable, ssh-keygen missing). */
  | 'VerificationError';

export class SourceFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'SourceFailure';
  }
}

export function errorCodeOf(reason: string): ErrorCode {
  if (reason === 'NonFastForward') return 'Conflict';
  if (reason === 'RefNotFound') return 'NotFound';
  if (reason === 'InvalidCommitSignature') return 'Invalid';
  return 'Internal';
}

interface IsoGitError {
  code?: string;
  message?: string;
  data?: { statusCode?: number; statusMessage?: string };
}

/** The failure of a network operation against `display`. */
export function fetchFailure(err: unknown, display: string, auth: AuthOutcome): SourceFailure {
  if (err instanceof SourceFailure) return err;
  const e = (err ?? {}) as IsoGitError;
  const status = e.code === 'HttpError' ? e.data?.statusCode : undefined;
  if (e.code === 'UserCanceledError' || auth.refused || ((status === 401 || status === 403) && !auth.missing)) {
    return new SourceFailure('AuthenticationFailed', `Authentication failed for '${display}'`);
  }
  if (status === 401 || status === 403 || auth.missing) {
    return new SourceFailure(
      'AuthenticationFailed',
      `could not read Username for '${display}': authentication required; set GITJOBS_GIT_TOKEN, or GITJOBS_GIT_USERNAME and GITJOBS_GIT_PASSWORD`,
    );
  }
  if (status !== undefined) {
    const what = status === 404 ? 'repository not found' : `The requested URL returned error: ${status}`;
    return new SourceFailure('FetchFailed', `unable to access '${display}': ${what}`);
  }
  if (isAbort(err)) return new SourceFailure('FetchFailed', `unable to access '${display}': operation timed out`);
  return new SourceFailure('FetchFailed', `unable to access '${display}': ${describe(err)}`);
}

/** A failure to read objects that the repository claims to have. */
export function readFailure(err: unknown, display: string, what: string): SourceFailure {
  if (err instanceof SourceFailure) return err;
  return new SourceFailure('CorruptRepository', `unable to read ${what} in '${display}': ${describe(err)}`);
}

export function isNotFound(err: unknown): boolean {
  return (err as IsoGitError | undefined)?.code === 'NotFoundError';
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ECONNREFUSED') return 'Connection refused';
  if (e?.code === 'ENOTFOUND') return 'Could not resolve host';
  if (e?.code === 'ECONNRESET') return 'Connection reset by peer';
  if (e?.code === 'ETIMEDOUT') return 'Connection timed out';
  const message = errorMessage(err);
  return message.replace(/\s+/g, ' ').trim() || 'unknown error';
}
