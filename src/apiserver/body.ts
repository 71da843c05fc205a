import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { GitjobsError } from '../errors.js';
import { readBody } from '../http/body.js';

/** The request's body as JSON (or YAML, which some clients send); undefined when empty. */
export async function readObjectBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim();
  if (type === 'application/vnd.kubernetes.protobuf' || type === 'application/cbor') {
    req.resume();
    throw new GitjobsError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  const buf = await readBody(req);
  if (buf.length === 0) return undefined;
  const text = buf.toString('utf8');
  try {
    return type === 'application/yaml' || type === 'application/x-yaml' ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new GitjobsError('Usage', `the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
