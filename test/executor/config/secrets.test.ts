import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Container, Pod } from '../../../src/api/types.js';
import { containerEnv, containerLaunch } from '../../../src/executor/config/env.js';
import { ContainerConfigError, refusal, SecretsFolder, valueProblem, type EntryFacts, type SecretSource } from '../../../src/executor/config/secrets.js';

describe('which entries of the secrets folder may be read', () => {
  const file = (over: Partial<EntryFacts>): EntryFacts => ({ isSymbolicLink: false, isFile: true, isDirectory: false, uid: 0, mode: 0o100600, size: 10, ...over });
  const folder = (over: Partial<EntryFacts>): EntryFacts => ({ isSymbolicLink: false, isFile: false, isDirectory: true, uid: 0, mode: 0o40700, size: 4096, ...over });
  const table: [string, EntryFacts, 'file' | 'folder', string | undefined][] = [
    ['a 0600 file of the daemon user is read', file({}), 'file', undefined],
    ['a 0400 file is read', file({ mode: 0o100400 }), 'file', undefined],
    ['a 0700 folder is read', folder({}), 'folder', undefined],
    ['a 0644 file is refused with chmod 600', file({ mode: 0o100644 }), 'file', 'refusing to read secret file /s/f: its mode is 0644, so group or others can read it; run chmod 600 /s/f'],
    ['a group-writable 0620 file is refused', file({ mode: 0o100620 }), 'file', 'refusing to read secret file /s/f: its mode is 0620, so group or others can read it; run chmod 600 /s/f'],
    ['a 0755 folder is refused with chmod 700', folder({ mode: 0o40755 }), 'folder', 'refusing to read secrets folder /s/f: its mode is 0755, so group or others can list it; run chmod 700 /s/f'],
    ['a file of another user is refused with chown', file({ uid: 1000 }), 'file', 'refusing to read secret file /s/f: it belongs to uid 1000, not to uid 0 that the daemon runs as; run chown 0 /s/f'],
    ['a symbolic link is refused', file({ isSymbolicLink: true, isFile: false }), 'file', 'refusing to read secret file /s/f: it is a symbolic link; put a regular file there instead'],
    ['a FIFO is refused', file({ isFile: false }), 'file', 'refusing to read secret file /s/f: it is not a regular file'],
    ['a file where a folder belongs is refused', file({}), 'folder', 'refusing to read secrets folder /s/f: it is not a folder'],
    ['a file over 1 MiB is refused', file({ size: 1024 * 1024 + 1 }), 'file', 'refusing to read secret file /s/f: it is larger than 1048576 bytes, the most a Secret can hold'],
  ];
  for (const [name, facts, kind, want] of table) it(name, () => expect(refusal('/s/f', facts, 0, kind)).toBe(want));

  it('values an environment variable cannot carry are refused without showing them', () => {
    expect(valueProblem(Buffer.from('fine value\n'))).toBeUndefined();
    expect(valueProblem(Buffer.from('a\0b'))).toBe('it contains a NUL byte, which an environment variable cannot hold');
    expect(valueProblem(Buffer.from([0xff, 0xfe]))).toMatch(/not valid UTF-8/);
  });
});

describe('the secrets folder on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'gitjobs-secrets-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'secrets');
  const put = (ns: string, name: string, key: string, value: string, mode = 0o600): string => {
    mkdirSync(join(dir, ns, name), { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const p = join(dir, ns, name, key);
    writeFileSync(p, value, { mode });
    chmodSync(p, mode);
    return p;
  };
  const uid = process.getuid?.() ?? 0;
  const folder = new SecretsFolder(dir, uid);

  it('a key reads as the file holds it, newline included', () => {
    put('default', 'db', 'password', 'hunter2\n');
    expect(folder.readKey('default', 'db', 'password')).toEqual({ kind: 'value', value: 'hunter2\n' });
  });

  it('a missing secret and a missing key are told apart', () => {
    expect(folder.readKey('default', 'nope', 'k')).toEqual({ kind: 'no-secret' });
    expect(folder.readKey('other-ns', 'db', 'password')).toEqual({ kind: 'no-secret' });
    expect(folder.readKey('default', 'db', 'nope')).toEqual({ kind: 'no-key' });
  });

  it('names that are not single path components find nothing', () => {
    expect(folder.readKey('default', '..', 'db')).toEqual({ kind: 'no-secret' });
    expect(folder.readKey('default', 'db', '../db/password')).toEqual({ kind: 'no-key' });
  });

  it('readAll gives every key, skipping volume internals and sub-folders', () => {
    put('default', 'all', 'A', '1');
    put('default', 'all', 'B', '2');
    mkdirSync(join(dir, 'default', 'all', '..data'), { mode: 0o700 });
    mkdirSync(join(dir, 'default', 'all', 'sub'), { mode: 0o700 });
    expect(folder.readAll('default', 'all')).toEqual(new Map([['A', '1'], ['B', '2']]));
    expect(folder.readAll('default', 'none')).toBeUndefined();
  });

  it('a symbolic link in place of a key is refused, naming the file', () => {
    put('default', 'linked', 'real', 'v');
    const link = join(dir, 'default', 'linked', 'k');
    symlinkSync(join(dir, 'default', 'linked', 'real'), link);
    expect(() => folder.readKey('default', 'linked', 'k')).toThrow(`refusing to read secret file ${link}: it is a symbolic link`);
  });

  it('a secret folder open to others is refused, whatever key is asked for', () => {
    put('default', 'open', 'k', 'v');
    chmodSync(join(dir, 'default', 'open'), 0o755);
    const err = (() => {
      try {
        folder.readKey('default', 'open', 'missing');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ContainerConfigError);
    expect((err as ContainerConfigError).code).toBe('SecretRefused');
    expect((err as Error).message).toContain(`run chmod 700 ${join(dir, 'default', 'open')}`);
  });

  it('a refused file never shows its value', () => {
    const p = put('default', 'leaky', 'k', 'do-not-print', 0o644);
    expect(() => folder.readKey('default', 'leaky', 'k')).toThrow(`run chmod 600 ${p}`);
    try {
      folder.readKey('default', 'leaky', 'k');
    } catch (e) {
      expect((e as Error).message).not.toContain('do-not-print');
    }
  });
});

/** A secret source in memory: namespace/name → key → value. */
function memory(data: Record<string, Record<string, string>>): SecretSource {
  return {
    readKey: (ns, name, key) => {
      const s = data[`${ns}/${name}`];
      if (s === undefined) return { kind: 'no-secret' };
      const v = s[key];
      return v === undefined ? { kind: 'no-key' } : { kind: 'value', value: v };
    },
    readAll: (ns, name) => {
      const s = data[`${ns}/${name}`];
      return s === undefined ? undefined : new Map(Object.entries(s));
    },
  };
}

describe('a container environment with secrets', () => {
  const pod = { uid: 'u', namespace: 'team', name: 'p', labels: {}, annotations: {}, spec: { containers: [], initContainers: [] } } as unknown as Pod;
  const secrets = memory({ 'team/db': { user: 'app', password: 's3cret' }, 'team/odd': { GOOD: 'g', '1bad': 'b', 'a b': 'c' } });
  const c = (over: Partial<Container>): Container => ({ name: 'c', command: ['sh', '-c', 'tool'], args: [], env: [], ...over });
  const ref = (name: string, key: string, optional?: boolean) => ({ valueFrom: { secretKeyRef: { name, key, ...(optional === undefined ? {} : { optional }) } } });

  it('secretKeyRef reads the key from the pod namespace', () => {
    expect(containerEnv({ pod, container: c({ env: [{ name: 'PW', ...ref('db', 'password') }] }), base: {}, secrets })).toEqual({ PW: 's3cret' });
  });

  it('envFrom comes first with its prefix, and env overrides it', () => {
    const container = c({ envFrom: [{ secretRef: { name: 'db' }, prefix: 'DB_' }], env: [{ name: 'DB_user', value: 'override' }] });
    expect(containerEnv({ pod, container, base: { PATH: '/bin' }, secrets })).toEqual({ PATH: '/bin', DB_user: 'override', DB_password: 's3cret' });
  });

  it('keys that are no variable names are skipped with the kubelet warning', () => {
    const warnings: string[] = [];
    const env = containerEnv({ pod, container: c({ envFrom: [{ secretRef: { name: 'odd' } }] }), base: {}, secrets, warn: (reason, message) => warnings.push(`${reason}: ${message}`) });
    expect(env).toEqual({ GOOD: 'g' });
    expect(warnings).toEqual(['InvalidEnvironmentVariableNames: Keys [1bad, a b] from the EnvFrom secret team/odd were skipped since they are considered invalid environment variable names.']);
  });

  const failures: [string, Container, string, string][] = [
    ['a missing secret', c({ env: [{ name: 'X', ...ref('gone', 'k') }] }), 'SecretNotFound', 'secret "gone" not found'],
    ['a missing key', c({ env: [{ name: 'X', ...ref('db', 'token') }] }), 'SecretKeyNotFound', "couldn't find key token in Secret team/db"],
    ['a missing envFrom secret', c({ envFrom: [{ secretRef: { name: 'gone' } }] }), 'SecretNotFound', 'secret "gone" not found'],
    [
      'a secret variable in args',
      c({ args: ['--pw=$(PW)'], env: [{ name: 'PW', ...ref('db', 'password') }] }),
      'SecretInArgv',
      '$(PW) in command or args would put the value of secret "db" in the process\'s arguments, which every user of this machine can read; use the variable from the program instead',
    ],
    ['an envFrom variable in command', c({ command: ['echo', '$(user)'], envFrom: [{ secretRef: { name: 'db' } }] }), 'SecretInArgv', '$(user) in command or args would put the value of secret "db"'],
    ['a variable built from a secret in args', c({ args: ['$(DSN)'], env: [{ name: 'PW', ...ref('db', 'password') }, { name: 'DSN', value: 'x:$(PW)' }] }), 'SecretInArgv', '$(DSN) in command or args'],
  ];
  for (const [name, container, code, message] of failures) {
    it(`${name} is a CreateContainerConfigError: ${message}`, () => {
      let err: unknown;
      try {
        containerLaunch({ pod, container, base: {}, secrets });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ContainerConfigError);
      expect((err as ContainerConfigError).code).toBe(code);
      expect((err as Error).message).toContain(message);
      expect((err as Error).message).not.toContain('s3cret');
    });
  }

  it('optional references to what is missing leave the variables out', () => {
    const container = c({ env: [{ name: 'A', ...ref('gone', 'k', true) }, { name: 'B', ...ref('db', 'nokey', true) }], envFrom: [{ secretRef: { name: 'gone', optional: true } }] });
    expect(containerEnv({ pod, container, base: {}, secrets })).toEqual({});
  });

  it('without a secrets folder no secret exists', () => {
    expect(() => containerEnv({ pod, container: c({ env: [{ name: 'X', ...ref('db', 'user') }] }), base: {} })).toThrow('secret "db" not found');
  });

  it('argv may still use plain variables, escaped references and redefined names', () => {
    const container = c({
      args: ['$(PLAIN)', '$$(PW)', '$(LATER)'],
      env: [{ name: 'PW', ...ref('db', 'password') }, { name: 'PLAIN', value: 'p' }, { name: 'LATER', ...ref('db', 'user') }, { name: 'LATER', value: 'public' }],
    });
    expect(containerLaunch({ pod, container, base: {}, secrets }).argv).toEqual(['sh', '-c', 'tool', 'p', '$(PW)', 'public']);
  });
});
