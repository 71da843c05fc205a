import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Access } from './route.js';

// Bearer tokens for the listener, made at the first start and kept in the
// state folder (0600): one that may write, and one that may only read, for
// dashboards and scripts that should not change anything.

export const WRITE_TOKEN_FILE = 'api-token';
export const READ_TOKEN_FILE = 'api-token-readonly';

export interface ApiTokens {
  write: string;
  read: string;
}

/** The state folder's tokens, created (0600, never overwritten) where missing. */
export function ensureTokens(stateDir: string): ApiTokens {
  return { write: ensureToken(join(stateDir, WRITE_TOKEN_FILE)), read: ensureToken(join(stateDir, READ_TOKEN_FILE)) };
}

/** The tokens as the CLI reads them (for `gitjobs kubeconfig`), undefined before the first start. */
export function readTokens(stateDir: string): ApiTokens | undefined {
  try {
    return { write: readToken(join(stateDir, WRITE_TOKEN_FILE)), read: readToken(join(stateDir, READ_TOKEN_FILE)) };
  } catch {
    return undefined;
  }
}

function ensureToken(path: string): string {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(32).toString('base64url') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readToken(path);
}

function readToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) throw new Error(`${path}: token too short`);
  return token;
}

/** What an `Authorization` header grants; compared in constant time. */
export function accessOf(header: string | undefined, tokens: ApiTokens): Access {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m === null) return 'none';
  if (same(m[1]!, tokens.write)) return 'write';
  if (same(m[1]!, tokens.read)) return 'read';
  return 'none';
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
