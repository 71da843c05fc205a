import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// The loopback listener's own certificate, so kubectl (which sends a token
// only over TLS) works against a default daemon without openssl. Node can
// parse X.509 but not write it: the few DER shapes a certificate needs are
// encoded here.

export const TLS_KEY_FILE = 'api-tls.key';
export const TLS_CERT_FILE = 'api-tls.crt';

export interface ServingCertificate {
  /** PEM */
  cert: string;
  /** PEM (PKCS#8) */
  key: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Remade this long before it expires, so a running daemon does not reach the end. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** The state folder's certificate, made (key 0600) where missing, expired, unreadable or not matching its key. */
export function ensureServingCertificate(stateDir: string, now = new Date()): ServingCertificate {
  const certFile = join(stateDir, TLS_CERT_FILE);
  const keyFile = join(stateDir, TLS_KEY_FILE);
  const kept = readUsable(certFile, keyFile, now);
  if (kept !== undefined) return kept;
  const made = makeSelfSigned(now);
  // Key first and each file by rename: a crash in between leaves a pair
  // that fails the check above and is made again.
  replaceFile(keyFile, made.key, 0o600);
  replaceFile(certFile, made.cert, 0o644);
  return made;
}

function readUsable(certFile: string, keyFile: string, now: Date): ServingCertificate | undefined {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x = new X509Certificate(cert);
    if (Date.parse(x.validTo) - now.getTime() < RENEW_BEFORE_MS || Date.parse(x.validFrom) > now.getTime()) return undefined;
    if (!x.checkPrivateKey(createPrivateKey(key))) return undefined;
    return { cert, key };
  } catch {
    return undefined;
  }
}

function replaceFile(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp`;
  try {
    unlinkSync(tmp);
  } catch {
    // none left over
  }
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * A self-signed ECDSA P-256 certificate for 127.0.0.1, ::1 and localhost,
 * valid ten years. It is its own CA (CA:TRUE, keyCertSign) so a kubeconfig's
 * certificate-authority-data can be the certificate itself.
 */
export function makeSelfSigned(now = new Date(), years = 10): ServingCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
  const name = seq(set(seq(oid('2.5.4.3'), utf8('gitjobs local API'))));
  const algorithm = seq(oid('1.2.840.10045.4.3.2')); // ecdsa-with-SHA256, no parameters
  // Back-dated a little so a client whose clock is slightly behind accepts it.
  const notBefore = new Date(now.getTime() - 3600 * 1000);
  const notAfter = new Date(now.getTime() + years * YEAR_MS);
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    algorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(
      3,
      seq(
        extension('2.5.29.17', false, seq(implicit(7, Buffer.from([127, 0, 0, 1])), implicit(7, ipv6Loopback()), implicit(2, Buffer.from('localhost')))),
        extension('2.5.29.19', true, seq(boolean(true))),
        // digitalSignature (bit 0) and keyCertSign (bit 5): 6 bits used, 2 unused.
        extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))),
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.14', false, octets(keyId)),
        extension('2.5.29.35', false, seq(implicit(0, keyId))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, algorithm, bitString(signature));
  return { cert: pem('CERTIFICATE', der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function serialNumber(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01; // positive and not zero, 16 bytes long
  return b;
}

function ipv6Loopback(): Buffer {
  const b = Buffer.alloc(16);
  b[15] = 1;
  return b;
}

/** The BIT STRING content of an SPKI, which the key identifier is a hash of. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.contentStart);
  const bits = readTlv(spki, algorithm.end);
  return spki.subarray(bits.contentStart + 1, bits.end);
}

function readTlv(b: Buffer, at: number): { contentStart: number; end: number } {
  let p = at + 1;
  let len = b[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  return { contentStart: p, end: p + len };
}

// --- DER ---

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function boolean(v: boolean): Buffer {
  return tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
}

/** A non-negative INTEGER from big-endian bytes, minimal as DER wants. */
function integer(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1]! < 0x80) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utf8(s: string): Buffer {
  return tlv(0x0c, Buffer.from(s, 'utf8'));
}

function octets(b: Buffer): Buffer {
  return tlv(0x04, b);
}

function bitString(b: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2))) : tlv(0x18, Buffer.from(digits));
}

function explicit(n: number, content: Buffer): Buffer {
  return tlv(0xa0 | n, content);
}

function implicit(n: number, content: Buffer): Buffer {
  return tlv(0x80 | n, content);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [boolean(true)] : []), octets(value));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
