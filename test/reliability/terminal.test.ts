// Pod output and manifest text can carry terminal control sequences. Logs are
// passed through as written when piped (as kubectl does), escaped on a
// terminal; tables and describe output never carry them.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeTerminal, escapeTerminalKeepColors } from '../../src/cli/print/tabwriter.js';
import { CLI, startDaemon, waitFor, type DaemonHandle } from '../helpers/e2e.js';
import { hasCondition, podsOf } from './harness.js';

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J';

describe('escapeTerminal', () => {
  it.each([
    ['a window-title sequence', '\x1b]0;pwned\x07', '^[]0;pwned^G'],
    ['clear screen', '\x1b[2J', '^[[2J'],
    ['carriage return, as kubectl', 'a\rb', 'a\\rb'],
    ['a one-character CSI (C1)', 'x\u009b2Jy', 'x\\u009b2Jy'],
    ['a right-to-left override', 'abc\u202edef', 'abc\\u202edef'],
    ['DEL and NUL', 'a\x7fb\x00c', 'a^?b^@c'],
    ['tabs and newlines, which carry layout', 'a\tb\nc', 'a\tb\nc'],
    ['plain Unicode', 'héllo ✓', 'héllo ✓'],
  ])('%s', (_what, input, output) => {
    expect(escapeTerminal(input)).toBe(output);
  });

  it('for logs on a terminal, colours and CRLF pass and everything else is escaped', () => {
    expect(escapeTerminalKeepColors(`\x1b[31mred\x1b[0m ${HOSTILE}\r\nnext\rover`)).toBe('\x1b[31mred\x1b[0m ^[]0;pwned^G^[[2J\r\nnext\\rover');
  });
});

describe('hostile pod output and manifest text (43)', () => {
  let d: DaemonHandle;
  beforeAll(async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: ansi
  annotations:
    note: "title \\e]0;pwned\\a and clear \\e[2J"
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "printf '\\\\033]0;pwned\\\\007\\\\033[2Jhello \\\\377\\\\376 bytes\\\\n'", "\\e[2J-arg"]
`;
    d = await startDaemon({ files: { 'ansi.yaml': manifest } });
    await waitFor('ansi complete', () => hasCondition(d.stateDir, 'ansi', 'Complete'));
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  const podName = () => podsOf(d.stateDir, 'ansi')[0]!.name;

  it('logs piped to a file or program are the pod output as written, as kubectl prints them', () => {
    const r = d.cli(['logs', podName()]);
    expect(r.stdout.startsWith(HOSTILE)).toBe(true);
    expect(r.stdout).toContain('hello ');
  });

  it('logs shown on a terminal cannot retitle the window or clear the screen', () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} logs ${podName()}`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, GITJOBS_STATE: d.stateDir },
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).not.toContain('\x07');
    expect(r.stdout).toContain('^[]0;pwned^G^[[2Jhello');
  });

  it.each([
    ['describe pod', () => ['describe', 'pod', podName()]],
    ['describe job', () => ['describe', 'job', 'ansi']],
    ['get pods -o wide', () => ['get', 'pods', '-o', 'wide']],
    ['get jobs -o wide', () => ['get', 'jobs', '-o', 'wide']],
    ['get events', () => ['get', 'events']],
  ])('%s never carries a control character', (_what, args) => {
    const r = d.cli(args());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('describe shows the hostile text escaped rather than dropping it', () => {
    expect(d.cli(['describe', 'job', 'ansi']).stdout).toContain('title ^[]0;pwned^G and clear ^[[2J');
    expect(d.cli(['describe', 'pod', podName()]).stdout).toContain('^[[2J-arg');
  });
});
