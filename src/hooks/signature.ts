import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hex HMAC of a body, as every forge computes its signature. */
export function hmacHex(algorithm: 'sha256' | 'sha1', secret: Buffer, body: Buffer): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/**
 * Compares in time independent of where the strings differ, so a caller
 * cannot find a valid signature byte by byte. Lengths are not secret (every
 * valid value has the same one).
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** A `sha256=<hex>` header checked against the body's HMAC-SHA256. */
export function checkPrefixedSha256(header: string | undefined, secret: Buffer, body: Buffer): boolean {
  if (header === undefined) return false;
  return constantTimeEqual(header.trim().toLowerCase(), `sha256=${hmacHex('sha256', secret, body)}`);
}
