import { describe, expect, it } from 'vitest';
import { parseManifest, type ManifestIssue } from '../../src/manifest/index.js';
import { parseRlimits } from '../../src/manifest/rlimits.js';

// Container lines start on line 11 (env, envFrom, args); the template annotation is on line 8.
const job = (container: string, annotation = ''): string =>
  `apiVersion: batch/v1\nkind: Job\nmetadata: {name: t}\nspec:\n  template:\n    metadata:\n      annotations:\n` +
  `        ${annotation === '' ? 'note: x' : `gitjobs.io/rlimits: ${JSON.stringify(annotation)}`}\n` +
  `    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["sh", "-c", "tool"]\n${container}`;

const secretEnv = (name: string, secret = 'db', key = 'password'): string =>
  `        - name: ${name}\n          valueFrom: {secretKeyRef: {name: ${secret}, key: ${JSON.stringify(key)}}}\n`;

interface Case {
  yaml: string;
  /** Undefined: the manifest is valid and runs. */
  want?: { code: ManifestIssue['code']; field: string; line: number; message: string | { contains: string }; severity?: 'warning' };
}

const cases: Record<string, Case> = {
  'a secretKeyRef without optional is accepted: the value comes from the secrets folder': {
    yaml: job(`        env:\n${secretEnv('PW')}`),
  },
  'a secret variable in args is refused, since every user can read argv': {
    yaml: job(`        args: ["--password=$(PW)"]\n        env:\n${secretEnv('PW')}`),
    want: {
      code: 'FieldForbidden', field: 'spec.template.spec.containers[0].args[0]', line: 15,
      message: 'Forbidden: $(PW) would put the value of secret "db" in the process\'s arguments, which every user of this machine can read; use the variable from the program instead (for example "$PW" inside sh -c)',
    },
  },
  'a variable whose value expands a secret is a secret too': {
    yaml: job(`        args: ["$(DSN)"]\n        env:\n${secretEnv('PW')}        - name: DSN\n          value: "u:$(PW)@db"\n`),
    want: { code: 'FieldForbidden', field: 'spec.template.spec.containers[0].args[0]', line: 15, message: { contains: '$(DSN) would put the value of secret "db"' } },
  },
  'an escaped $$(PW) is plain text and accepted': {
    yaml: job(`        args: ["$$(PW)"]\n        env:\n${secretEnv('PW')}`),
  },
  'a name redefined by a plain value later no longer holds the secret': {
    yaml: job(`        args: ["$(PW)"]\n        env:\n${secretEnv('PW')}        - name: PW\n          value: visible\n`),
  },
  'a key that names a mounted volume\'s internals, not a key': {
    yaml: job(`        env:\n${secretEnv('PW', 'db', '..data')}`),
    want: { code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key', line: 17, message: "Invalid value: \"..data\": must not start with '..'" },
  },
  'a key with a slash, which would leave the secret folder': {
    yaml: job(`        env:\n${secretEnv('PW', 'db', '../etc/shadow')}`),
    want: { code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key', line: 17, message: { contains: 'a valid config key must consist of' } },
  },
  'a secret name that is no DNS subdomain': {
    yaml: job(`        env:\n${secretEnv('PW', 'My_Secret')}`),
    want: { code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name', line: 17, message: { contains: 'Invalid value: "My_Secret": a lowercase RFC 1123 subdomain' } },
  },
  'a secretKeyRef without a key': {
    yaml: job(`        env:\n        - name: PW\n          valueFrom: {secretKeyRef: {name: db}}\n`),
    want: { code: 'FieldRequired', field: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key', line: 17, message: 'Required value' },
  },
  'envFrom of a secret with a prefix is accepted': {
    yaml: job(`        envFrom:\n        - secretRef: {name: db}\n          prefix: DB_\n`),
  },
  'an envFrom entry naming no source': {
    yaml: job(`        envFrom:\n        - prefix: DB_\n`),
    want: { code: 'FieldInvalid', field: 'spec.template.spec.containers[0].envFrom', line: 16, message: 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`' },
  },
  'an envFrom prefix that is no variable name': {
    yaml: job(`        envFrom:\n        - secretRef: {name: db}\n          prefix: 1DB\n`),
    want: { code: 'FieldInvalid', field: 'spec.template.spec.containers[0].envFrom[0].prefix', line: 17, message: { contains: 'Invalid value: "1DB": a valid environment variable name' } },
  },
  'an envFrom secretRef without a name': {
    yaml: job(`        envFrom:\n        - secretRef: {optional: true}\n`),
    want: { code: 'FieldRequired', field: 'spec.template.spec.containers[0].envFrom[0].secretRef.name', line: 16, message: 'Required value' },
  },
  'rlimits within reason are accepted': {
    yaml: job('', 'nofile=1024,nproc=256,as=2Gi,fsize=100Mi,cpu=60,core=0'),
  },
  'an unknown rlimit name': {
    yaml: job('', 'files=10'),
    want: {
      code: 'FieldInvalid', field: 'spec.template.metadata.annotations[gitjobs.io/rlimits]', line: 8,
      message: 'Invalid value: "files=10": "files": unknown limit; supported: as, core, cpu, data, fsize, locks, memlock, msgqueue, nofile, nproc, rss, rttime, sigpending, stack',
    },
  },
  'an rlimit that is no number': {
    yaml: job('', 'nofile=lots'),
    want: { code: 'FieldInvalid', field: 'spec.template.metadata.annotations[gitjobs.io/rlimits]', line: 8, message: 'Invalid value: "nofile=lots": nofile=lots: must be a whole number' },
  },
  'an rlimit too low for a shell to start': {
    yaml: job('', 'nofile=4'),
    want: {
      code: 'FieldInvalid', field: 'spec.template.metadata.annotations[gitjobs.io/rlimits]', line: 8,
      message: 'Invalid value: "nofile=4": nofile=4: too low for any container to start (with 3 a shell cannot load its libraries, with 4 it cannot open a pipe); use at least 8',
    },
  },
  'an address-space limit Node.js cannot start under is a warning': {
    yaml: job('', 'as=512Mi'),
    want: {
      code: 'FieldInvalid', field: 'spec.template.metadata.annotations[gitjobs.io/rlimits]', line: 8, severity: 'warning',
      message: 'as=512Mi: not for Node.js pods: Node.js dies at start under 1Gi of address space ("Fatal process OOM", exit 133)',
    },
  },
};

describe('secrets and rlimits in manifests', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const r = parseManifest(c.yaml, 'job.yaml');
      if (c.want === undefined) {
        expect(r.issues).toEqual([]);
        expect(r.jobs).toHaveLength(1);
        return;
      }
      const want = c.want;
      const issue = r.issues.find((i) => i.field === want.field && i.code === want.code);
      expect(issue, JSON.stringify(r.issues, null, 2)).toBeDefined();
      expect(issue?.severity).toBe(want.severity ?? 'error');
      expect(issue?.line).toBe(want.line);
      if (typeof want.message === 'string') expect(issue?.message).toBe(want.message);
      else expect(issue?.message).toContain(want.message.contains);
      expect(r.jobs).toHaveLength(want.severity === 'warning' ? 1 : 0);
    });
  }
});

describe('the rlimits annotation value', () => {
  const table: [string, { limits?: [string, number][]; errors?: RegExp[]; warnings?: RegExp[] }][] = [
    ['nofile=1024,nproc=256,as=2Gi,fsize=100Mi,cpu=60,core=0', { limits: [['nofile', 1024], ['nproc', 256], ['as', 2 * 2 ** 30], ['fsize', 100 * 2 ** 20], ['cpu', 60], ['core', 0]] }],
    [' nofile = 512 , stack=8Mi ', { limits: [['nofile', 512], ['stack', 8 * 2 ** 20]] }],
    ['fsize=1.5Ki,memlock=1k', { limits: [['fsize', 1536], ['memlock', 1000]] }],
    ['', { errors: [/comma-separated list of NAME=VALUE/] }],
    ['nofile', { errors: [/"nofile": must be NAME=VALUE/] }],
    ['nofile=10,nofile=20', { limits: [['nofile', 10]], errors: [/nofile: given more than once/], warnings: [/^nofile=10: not for Node.js/] }],
    ['fsize=100m', { errors: [/fsize=100m: must be a whole number of bytes/] }],
    ['cpu=1.5', { errors: [/cpu=1.5: must be a whole number of seconds/] }],
    ['nofile=-1', { errors: [/must be a whole number/] }],
    ['nice=5', { errors: [/"nice": unknown limit/] }],
    ['__proto__=1', { errors: [/"__proto__": unknown limit/] }],
    ['as=4Mi', { errors: [/as=4Mi: too low for any container to start .* use at least 8Mi/] }],
    ['nproc=3', { errors: [/use at least 4/] }],
    ['stack=16Ki', { errors: [/SIGSEGV/] }],
    ['as=1Gi,nofile=128,nproc=16', { limits: [['as', 2 ** 30], ['nofile', 128], ['nproc', 16]] }],
    ['nofile=64', { limits: [['nofile', 64]], warnings: [/^nofile=64: not for Node.js pods: .*EMFILE after 46 opens/] }],
    ['nproc=8', { limits: [['nproc', 8]], warnings: [/^nproc=8: not for Node.js pods: .*hangs at start/] }],
  ];
  for (const [text, want] of table) {
    it(`${JSON.stringify(text)} gives ${want.errors ? `${want.errors.length} error(s)` : 'limits'}${want.warnings ? ' and a warning' : ''}`, () => {
      const got = parseRlimits(text);
      expect(got.limits.map((l) => [l.name, l.value])).toEqual(want.limits ?? []);
      expect(got.errors).toHaveLength(want.errors?.length ?? 0);
      want.errors?.forEach((re, i) => expect(got.errors[i]).toMatch(re));
      expect(got.warnings).toHaveLength(want.warnings?.length ?? 0);
      want.warnings?.forEach((re, i) => expect(got.warnings[i]).toMatch(re));
    });
  }
});
