import type { IncomingHttpHeaders } from 'node:http';
import { GitjobsError } from '../errors.js';

// What each forge's receiver makes of a request: whether its signature holds,
// and what it announces. Everything after that (dedup, matching the source,
// fetching) is the same for all forges.

/** A push, in the terms every forge's payload can be brought to. */
export interface PushEvent {
  kind: 'push';
  /** Every URL the payload gives for the repository (clone, SSH, web); none: the sender did not say (generic). */
  repositoryUrls: string[];
  /** The repository's default branch, when the payload says (for a source that follows HEAD). */
  defaultBranch?: string;
  /** The refs the push changed (Bitbucket Server sends several in one event). */
  changes: RefChange[];
}

export interface RefChange {
  /** The full ref, `refs/heads/main`; undefined: the sender did not say (generic). */
  ref?: string;
  /** The commit the ref now points at. */
  after?: string;
  /** The ref was deleted: nothing to fetch. */
  deleted: boolean;
}

/** One change, without the fields the payload left out. */
export function refChange(ref: string | undefined, after: string | undefined, deleted: boolean): RefChange {
  return { ...(ref === undefined ? {} : { ref }), ...(after === undefined ? {} : { after }), deleted };
}

export type HookEvent = { kind: 'ping' } | PushEvent | { kind: 'other'; event: string };

export interface ForgeReceiver {
  /** Whether the request carries a valid signature (or token) for this secret. */
  verify(headers: IncomingHttpHeaders, body: Buffer, secret: Buffer): boolean;
  /** The sender's id of this delivery, the same on a redelivery; undefined: none given. */
  deliveryId(headers: IncomingHttpHeaders): string | undefined;
  /** Only called on a verified request. */
  parse(headers: IncomingHttpHeaders, body: Buffer): HookEvent;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function jsonBody(body: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GitjobsError('Usage', 'the payload is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GitjobsError('Usage', 'the payload is not a JSON object');
  return v as Record<string, unknown>;
}

export function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function strings(...vs: unknown[]): string[] {
  return vs.filter((v): v is string => typeof v === 'string' && v !== '');
}

const ZERO = /^0+$/;

/** A push whose new commit is all zeros removed the ref. */
export function isZeroSha(sha: string | undefined): boolean {
  return sha !== undefined && ZERO.test(sha);
}
