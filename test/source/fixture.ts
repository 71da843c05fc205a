// Real repositories made with the git CLI, and a recorder for a source's callbacks.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GitSnapshot, GitSourceStatus } from '../../src/source/git.js';


const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
};

const made: string[] = [];

export function tempDir(prefix = 'gitjobs-git-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with a working tree, where commits are made. */
export class WorkRepo {
  constructor(readonly dir: string) {}

  static init(dir = tempDir()): WorkRepo {
    git(dir, 'init', '-q');
    return new WorkRepo(dir);
  }

  write(file: string, text: string, mode?: number): this {
    const p = join(this.dir, file);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, mode === undefined ? undefined : { mode });
    return this;
  }

  remove(file: string): this {
    rmSync(join(this.dir, file), { force: true });
    return this;
  }

  /** Stages everything and commits; returns the new commit's oid. */
  commit(subject: string, author?: { name: string; email: string }): string {
    git(this.dir, 'add', '-A');
    const who = author ? ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`] : [];
    const env = author ? ['--author', `${author.name} <${author.email}>`] : [];
    git(this.dir, ...who, 'commit', '-q', '--allow-empty', '-m', subject, ...env);
    return this.head();
  }

  head(): string {
    return git(this.dir, 'rev-parse', 'HEAD');
  }

  git(...args: string[]): string {
    return git(this.dir, ...args);
  }
}

export function jobYaml(name: string, command = 'echo hi'): string {
  return [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '      - name: main',
    '        image: busybox',
    `        command: ["sh", "-c", ${JSON.stringify(command)}]`,
    '',
  ].join('\n');
}

/** Everything a source reported, in order. */
export class Recorder {
  snapshots: GitSnapshot[] = [];
  statuses: GitSourceStatus[] = [];

  onSnapshot = (s: GitSnapshot): void => {
    this.snapshots.push(s);
  };

  onStatus = (s: GitSourceStatus): void => {
    this.statuses.push(s);
  };

  get last(): GitSnapshot | undefined {
    return this.snapshots.at(-1);
  }

  get lastStatus(): GitSourceStatus | undefined {
    return this.statuses.at(-1);
  }

  jobNames(snap = this.last): string[] {
    return (snap?.manifests.jobs ?? []).map((j) => j.name).sort();
  }
}

/** Polls a condition until it holds or the deadline passes: a wait on a condition, never a fixed sleep. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
