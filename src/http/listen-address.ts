import { isIP } from 'node:net';
import { GitjobsError } from '../errors.js';

export const DEFAULT_LISTEN = '127.0.0.1:6443';

export interface ListenAddress {
  host: string;
  port: number;
  loopback: boolean;
}

/** `HOST:PORT` or `[V6]:PORT`, as `--listen` takes it. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || port > 65535 || (m[1] !== undefined && isIP(m[1]) !== 6)) {
    throw new GitjobsError('Usage', `--listen takes HOST:PORT (127.0.0.1:6443, [::1]:6443), not "${text}"`);
  }
  return { host, port, loopback: isLoopback(host) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
