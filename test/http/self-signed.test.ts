import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureServingCertificate, makeSelfSigned, TLS_CERT_FILE, TLS_KEY_FILE } from '../../src/http/self-signed.js';
import { tempDir } from '../helpers/e2e.js';

const DAY = 24 * 3600 * 1000;

describe('self-signed serving certificate', () => {
  it('is an X.509 v3 certificate Node and openssl read: P-256, loopback names, its own CA for serverAuth, ten years', () => {
    const now = new Date();
    const made = makeSelfSigned(now);
    const x = new X509Certificate(made.cert);
    expect(x.subjectAltName).toBe('IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    expect(x.ca).toBe(true);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
    const years = (Date.parse(x.validTo) - now.getTime()) / (365 * DAY);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);

    const dir = tempDir();
    writeFileSync(join(dir, 'c.pem'), made.cert);
    const text = spawnSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text.stdout).toContain('NIST CURVE: P-256');
    expect(text.stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text.stdout).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign/);
    expect(text.stdout).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    // Strict checking (as Python's default TLS context does) accepts it as its own authority.
    const verify = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', join(dir, 'c.pem'), join(dir, 'c.pem')], { encoding: 'utf8' });
    expect(verify.stdout.trim()).toBe(`${join(dir, 'c.pem')}: OK`);
  });

  it('writes an end date past 2049 as GeneralizedTime', () => {
    const x = new X509Certificate(makeSelfSigned(new Date('2045-06-01T00:00:00Z')).cert);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2055);
  });

  it('is made once in the state folder (key 0600) and kept across starts', () => {
    const dir = tempDir();
    const first = ensureServingCertificate(dir);
    expect(statSync(join(dir, TLS_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, TLS_CERT_FILE), 'utf8')).toBe(first.cert);
    expect(ensureServingCertificate(dir)).toEqual(first);
  });

  it('is made again when missing, unreadable, near its end or not matching its key', () => {
    const dir = tempDir();
    const first = ensureServingCertificate(dir);
    writeFileSync(join(dir, TLS_CERT_FILE), 'not a certificate');
    const second = ensureServingCertificate(dir);
    expect(second.cert).not.toBe(first.cert);
    expect(new X509Certificate(second.cert).checkPrivateKey(createPrivateKey(readFileSync(join(dir, TLS_KEY_FILE))))).toBe(true);

    const late = new Date(Date.now() + 10 * 365 * DAY);
    const third = ensureServingCertificate(dir, late);
    expect(third.cert).not.toBe(second.cert);
    expect(Date.parse(new X509Certificate(third.cert).validTo)).toBeGreaterThan(late.getTime() + 9 * 365 * DAY);

    writeFileSync(join(dir, TLS_KEY_FILE), makeSelfSigned().key);
    const fourth = ensureServingCertificate(dir, late);
    expect(fourth.cert).not.toBe(third.cert);
  });
});
