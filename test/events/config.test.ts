import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_EVENTS_CONFIG, loadEventsConfig, parseEventsConfig } from '../../src/events/config.js';
import { cli, tempDir } from '../helpers/e2e.js';

const parse = (doc: unknown, env: NodeJS.ProcessEnv = {}) => parseEventsConfig(doc, 'events.yaml', env);

describe('events configuration', () => {
  it('is optional: no file in the state folder means no receivers and no targets', () => {
    expect(loadEventsConfig(undefined, tempDir())).toBe(EMPTY_EVENTS_CONFIG);
  });

  it('reads secrets from the named file (without its final newline) or environment variable', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret'), 's3cret\n');
    writeFileSync(
      join(dir, 'events.yaml'),
      `webhooks:\n- { forge: github, secretFile: ${join(dir, 'secret')} }\nnotifications:\n- { name: team, url: https://example.com/in, secretEnv: NOTIFY_SECRET, template: slack }\n`,
    );
    const c = loadEventsConfig(undefined, dir, { NOTIFY_SECRET: 'from-env' });
    expect(c.webhooks).toEqual([{ name: 'github', forge: 'github', secret: Buffer.from('s3cret') }]);
    expect(c.notifications[0]).toMatchObject({ name: 'team', template: 'slack', events: ['succeeded', 'failed'], secret: Buffer.from('from-env') });
    expect(c.retry).toEqual({ initialMs: 1000, maxMs: 300_000, giveUpAfterMs: 86_400_000 });
  });

  it.each([
    [{ webhooks: [{ forge: 'github', secret: 'inline' }] }, /webhooks\[0\]\.secret: secrets are not written in the configuration: use secretFile or secretEnv/],
    [{ webhooks: [{ forge: 'github', secretEnv: 'UNSET_VAR' }] }, /the environment variable UNSET_VAR is not set/],
    [{ webhooks: [{ forge: 'github' }] }, /webhooks\[0\]: needs secretFile or secretEnv/],
    [{ webhooks: [{ forge: 'svn', secretEnv: 'S' }] }, /"svn" is not one of github, gitlab, gitea, bitbucket-server, generic/],
    [{ notifications: [{ name: 'a', url: 'ftp://x' }] }, /not an http\(s\) URL/],
    [{ notifications: [{ name: 'a', url: 'http://x', events: ['finished'] }] }, /"finished" is not one of started, succeeded, failed, sync-failed/],
    [{ commitStatus: { forge: 'github', repository: 'a/b', token: 'x' } }, /commitStatus\.token: secrets are not written/],
    [{ retry: { initialInterval: '1m', maxInterval: '1s' } }, /shorter than initialInterval/],
    [{ retry: { initialInterval: 'soon' } }, /retry\.initialInterval: invalid duration "soon"/],
    [{ notify: [] }, /notify: unknown field/],
  ])('refuses %j', (doc, message) => {
    expect(() => parse(doc, { S: 'x' })).toThrow(message);
  });

  it('keeps the daemon from starting when wrong, naming the file and field', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'state'));
    const file = join(dir, 'state', 'events.yaml');
    writeFileSync(file, 'webhooks:\n- { forge: github, secretEnv: NOT_SET_ANYWHERE }\n');
    const r = cli(['daemon', '--jobs', dir, '--state', join(dir, 'state')]);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `error: ${file}: webhooks[0].secretEnv: the environment variable NOT_SET_ANYWHERE is not set\n` });
    expect(cli(['daemon', '--jobs', dir, '--state', join(dir, 'state'), '--events-config', join(dir, 'missing.yaml')])).toMatchObject({
      code: 2,
      stderr: `error: cannot read events configuration ${join(dir, 'missing.yaml')}: ENOENT\n`,
    });
  });
});
