import type { IncomingMessage } from 'node:http';
import { GitjobsError } from '../errors.js';

/** Large enough for any manifest a person writes (the API server's own limit is 3 MiB). */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

/**
 * The request body, refused past `limit` bytes before more is read: a client
 * cannot make the daemon hold more than that for one request. The listener's
 * request timeout bounds how long a slow client may take to send it.
 */
export function readBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('aborted', () => reject(new GitjobsError('Usage', 'the request was aborted')));
  });
}

function tooLarge(limit: number): GitjobsError {
  return new GitjobsError('RequestEntityTooLarge', `the request body is larger than ${limit} bytes`);
}
