import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, killPodGroups, removeStateCgroups, ROOT, tempDir } from '../helpers/e2e.js';

// The README's commands, run as a reader would: every ```sh block, in order, in
// one shell (`set -euo pipefail`), in a fresh folder, with `gitjobs` on PATH
// and a real daemon started by the blocks themselves. Blocks fenced ```bash or
// ```text are shown, not run (installing, a daemon in the foreground).

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

const dir = tempDir('gitjobs-readme-');
afterAll(async () => {
  for (const state of [join(dir, 'quick', 'state'), join(dir, 'state')]) {
    killPodGroups(state);
    await removeStateCgroups(state);
  }
});

describe('README', () => {
  it('has shell blocks to run, and stays a page for newcomers (under 28 KB: depth goes to docs/)', () => {
    expect(shellBlocks(README).length).toBeGreaterThanOrEqual(8);
    expect(Buffer.byteLength(README)).toBeLessThan(28_000);
  });

  it('links only to docs that exist', () => {
    for (const [, target] of README.matchAll(/\]\((docs\/[^)#]+)\)/g)) expect(() => readFileSync(join(ROOT, target!))).not.toThrow();
  });

  it('every ```sh block runs against a real daemon', async () => {
    const bin = join(dir, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'gitjobs'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, 'gitjobs'), 0o755);
    const blocks = shellBlocks(README);
    // Each block is echoed before it runs, so a failure shows which one.
    const script = ['set -euo pipefail', ...blocks.map((b, i) => `echo "### block ${i + 1}" >&2\n${b}`)].join('\n');
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        // The temporary folder is closed to the default pod user (nobody).
        GITJOBS_POD_USER: 'root',
        GIT_AUTHOR_NAME: 'Reader',
        GIT_AUTHOR_EMAIL: 'reader@example.com',
        GIT_COMMITTER_NAME: 'Reader',
        GIT_COMMITTER_EMAIL: 'reader@example.com',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 50_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    try {
      process.kill(-child.pid!, 'SIGKILL'); // anything a failed block left running
    } catch {
      // none left
    }
    const daemonLog = (f: string): string => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return '';
      }
    };
    expect(code, `${out}\n--- daemon logs ---\n${daemonLog('quick/daemon.log')}${daemonLog('daemon.log')}`).toBe(0);
    // What the reader is told to expect.
    expect(out).toContain('3.14159265358979323846264338327950288419716939937510');
    expect(out).toMatch(/\[pod\/hello-\w+\/hello\] Hello from hello-\w+ at [0-9a-f]{40}\n/);
    expect(out).toMatch(/^2$/m);
    expect(out).toMatch(/\n2\s+\w+\s+spec-change\s.*Complete/);
    expect(out).toMatch(/\n3\s+\w+\s+rerun\s.*pruned\n/);
    expect(out).toContain('No resources found in default namespace.');
  }, 60_000);
});
