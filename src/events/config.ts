import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GitjobsError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

// The daemon's events configuration: webhook receivers (events in),
// notification targets and commit status (events out), in one YAML file given
// with --events-config, else <state>/events.yaml when it exists. Parsed and
// checked once, at start; secrets are read from the files or environment
// variables it names, never written in it.

export const EVENTS_CONFIG_FILE = 'events.yaml';

export type Forge = 'github' | 'gitlab' | 'gitea' | 'bitbucket-server' | 'generic';
export const FORGES: readonly Forge[] = ['github', 'gitlab', 'gitea', 'bitbucket-server', 'generic'];

export interface HookReceiverConfig {
  /** Served at /hooks/<name>. */
  name: string;
  forge: Forge;
  secret: Buffer;
  /** The repository pushes must be for (URL or host/owner/name); unset: the daemon's --repo. */
  repository?: string;
}

/** What a notification target may subscribe to. */
export type NotifyEvent = 'started' | 'succeeded' | 'failed' | 'sync-failed' | 'pod-lost';
export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['started', 'succeeded', 'failed', 'sync-failed', 'pod-lost'];

export interface NotifyTargetConfig {
  name: string;
  url: string;
  template: 'generic' | 'slack';
  /** Signs each body (X-Gitjobs-Signature-256); unset: unsigned. */
  secret?: Buffer;
  events: readonly NotifyEvent[];
}

export type StatusForge = 'github' | 'gitlab' | 'gitea';

export interface CommitStatusConfig {
  forge: StatusForge;
  /** The forge's API base: https://api.github.com, https://gitlab.example.com, https://gitea.example.com. */
  apiUrl: string;
  /** owner/name (GitLab: the project's path or numeric id). */
  repository: string;
  token: string;
  /** The status's name on the commit. */
  context: string;
}

export interface RetryConfig {
  initialMs: number;
  maxMs: number;
  /** A delivery still failing this long after its event is given up (and shown as failed). */
  giveUpAfterMs: number;
}

export interface EventsConfig {
  /** Base of the links in notifications and commit statuses; unset: the listener's URL. */
  consoleUrl?: string;
  webhooks: HookReceiverConfig[];
  notifications: NotifyTargetConfig[];
  commitStatus?: CommitStatusConfig;
  retry: RetryConfig;
}

export const DEFAULT_RETRY: RetryConfig = { initialMs: 1000, maxMs: 5 * 60_000, giveUpAfterMs: 24 * 3_600_000 };

export const EMPTY_EVENTS_CONFIG: EventsConfig = { webhooks: [], notifications: [], retry: DEFAULT_RETRY };

/** The configuration in force: the named file, else <state>/events.yaml, else none. */
export function loadEventsConfig(file: string | undefined, stateDir: string, env: NodeJS.ProcessEnv = process.env): EventsConfig {
  const path = file ?? join(stateDir, EVENTS_CONFIG_FILE);
  if (file === undefined && !existsSync(path)) return EMPTY_EVENTS_CONFIG;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GitjobsError('Usage', `cannot read events configuration ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new GitjobsError('Usage', `${path}: ${(err as Error).message}`);
  }
  return parseEventsConfig(doc ?? {}, path, env);
}

export function parseEventsConfig(doc: unknown, where: string, env: NodeJS.ProcessEnv): EventsConfig {
  const c = new Checker(where, env);
  const top = c.object(doc, '');
  c.only(top, '', ['consoleUrl', 'webhooks', 'notifications', 'commitStatus', 'retry']);
  const webhooks = c.list(top.webhooks, 'webhooks').map((w, i) => c.webhook(w, `webhooks[${i}]`));
  const notifications = c.list(top.notifications, 'notifications').map((n, i) => c.target(n, `notifications[${i}]`));
  for (const [what, names] of [['webhooks', webhooks.map((w) => w.name)], ['notifications', notifications.map((n) => n.name)]] as const) {
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw c.fail(what, `name "${dup}" is given twice`);
  }
  const out: EventsConfig = { webhooks, notifications, retry: c.retry(top.retry) };
  if (top.consoleUrl !== undefined) out.consoleUrl = c.url(top.consoleUrl, 'consoleUrl').replace(/\/+$/, '');
  if (top.commitStatus !== undefined) out.commitStatus = c.commitStatus(top.commitStatus);
  return out;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

class Checker {
  constructor(
    private readonly where: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  fail(field: string, message: string): GitjobsError {
    return new GitjobsError('Usage', `${this.where}: ${field === '' ? '' : field + ': '}${message}`);
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(field, 'expected a mapping');
    return v as Record<string, unknown>;
  }

  list(v: unknown, field: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.fail(field, 'expected a list');
    return v;
  }

  only(o: Record<string, unknown>, field: string, keys: string[]): void {
    for (const k of Object.keys(o)) {
      if (k === 'secret' || k === 'token') {
        throw this.fail(field === '' ? k : `${field}.${k}`, `secrets are not written in the configuration: use ${k}File or ${k}Env`);
      }
      if (!keys.includes(k)) throw this.fail(field === '' ? k : `${field}.${k}`, `unknown field (expected one of ${keys.join(', ')})`);
    }
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v === '') throw this.fail(field, 'expected a non-empty string');
    return v;
  }

  url(v: unknown, field: string): string {
    const s = this.string(v, field);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw this.fail(field, `"${s}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw this.fail(field, `"${s}" is not an http(s) URL`);
    return s;
  }

  name(v: unknown, field: string): string {
    const s = this.string(v, field);
    if (!NAME.test(s)) throw this.fail(field, `"${s}" must be lower-case letters, digits and '-'`);
    return s;
  }

  /** A secret from `<key>File` or `<key>Env`, exactly one of them. */
  secret(o: Record<string, unknown>, key: 'secret' | 'token', field: string, required: boolean): Buffer | undefined {
    const file = o[`${key}File`];
    const envName = o[`${key}Env`];
    if (file !== undefined && envName !== undefined) throw this.fail(field, `give ${key}File or ${key}Env, not both`);
    if (file !== undefined) {
      const path = this.string(file, `${field}.${key}File`);
      let value: Buffer;
      try {
        value = readFileSync(path);
      } catch (err) {
        throw this.fail(`${field}.${key}File`, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      // A trailing newline is how editors and `echo` end the file, not part of the secret.
      const trimmed = Buffer.from(value.toString('utf8').replace(/\r?\n$/, ''), 'utf8');
      if (trimmed.length === 0) throw this.fail(`${field}.${key}File`, `${path} is empty`);
      return trimmed;
    }
    if (envName !== undefined) {
      const n = this.string(envName, `${field}.${key}Env`);
      const value = this.env[n];
      if (value === undefined || value === '') throw this.fail(`${field}.${key}Env`, `the environment variable ${n} is not set`);
      return Buffer.from(value, 'utf8');
    }
    if (required) throw this.fail(field, `needs ${key}File or ${key}Env`);
    return undefined;
  }

  webhook(v: unknown, field: string): HookReceiverConfig {
    const o = this.object(v, field);
    this.only(o, field, ['name', 'forge', 'secretFile', 'secretEnv', 'repository']);
    const forge = this.string(o.forge, `${field}.forge`);
    if (!FORGES.includes(forge as Forge)) throw this.fail(`${field}.forge`, `"${forge}" is not one of ${FORGES.join(', ')}`);
    const out: HookReceiverConfig = {
      name: this.name(o.name ?? forge, `${field}.name`),
      forge: forge as Forge,
      secret: this.secret(o, 'secret', field, true)!,
    };
    if (o.repository !== undefined) out.repository = this.string(o.repository, `${field}.repository`);
    return out;
  }

  target(v: unknown, field: string): NotifyTargetConfig {
    const o = this.object(v, field);
    this.only(o, field, ['name', 'url', 'template', 'secretFile', 'secretEnv', 'events']);
    const template = o.template ?? 'generic';
    if (template !== 'generic' && template !== 'slack') throw this.fail(`${field}.template`, `"${String(template)}" is not generic or slack`);
    const events = o.events === undefined ? (['succeeded', 'failed'] as NotifyEvent[]) : this.list(o.events, `${field}.events`);
    for (const e of events) {
      if (!NOTIFY_EVENTS.includes(e as NotifyEvent)) throw this.fail(`${field}.events`, `"${String(e)}" is not one of ${NOTIFY_EVENTS.join(', ')}`);
    }
    const secret = this.secret(o, 'secret', field, false);
    return {
      name: this.name(o.name, `${field}.name`),
      url: this.url(o.url, `${field}.url`),
      template,
      events: events as NotifyEvent[],
      ...(secret === undefined ? {} : { secret }),
    };
  }

  commitStatus(v: unknown): CommitStatusConfig {
    const field = 'commitStatus';
    const o = this.object(v, field);
    this.only(o, field, ['forge', 'apiUrl', 'repository', 'tokenFile', 'tokenEnv', 'context']);
    const forge = this.string(o.forge, `${field}.forge`);
    if (forge !== 'github' && forge !== 'gitlab' && forge !== 'gitea') throw this.fail(`${field}.forge`, `"${forge}" is not github, gitlab or gitea`);
    const defaultApi = forge === 'github' ? 'https://api.github.com' : undefined;
    return {
      forge,
      apiUrl: this.url(o.apiUrl ?? defaultApi, `${field}.apiUrl`).replace(/\/+$/, ''),
      repository: this.string(o.repository, `${field}.repository`),
      token: this.secret(o, 'token', field, true)!.toString('utf8'),
      context: o.context === undefined ? 'gitjobs' : this.string(o.context, `${field}.context`),
    };
  }

  retry(v: unknown): RetryConfig {
    if (v === undefined) return DEFAULT_RETRY;
    const o = this.object(v, 'retry');
    this.only(o, 'retry', ['initialInterval', 'maxInterval', 'giveUpAfter']);
    const d = (key: string, fallback: number): number => {
      if (o[key] === undefined) return fallback;
      const text = this.string(o[key], `retry.${key}`);
      const ms = parseDuration(text);
      if (ms === undefined) throw this.fail(`retry.${key}`, `invalid duration "${text}": use a number with a unit, e.g. 10s, 250ms, 1m`);
      if (ms <= 0) throw this.fail(`retry.${key}`, 'must be positive');
      return ms;
    };
    const r = { initialMs: d('initialInterval', DEFAULT_RETRY.initialMs), maxMs: d('maxInterval', DEFAULT_RETRY.maxMs), giveUpAfterMs: d('giveUpAfter', DEFAULT_RETRY.giveUpAfterMs) };
    if (r.maxMs < r.initialMs) throw this.fail('retry.maxInterval', 'is shorter than initialInterval');
    return r;
  }
}
