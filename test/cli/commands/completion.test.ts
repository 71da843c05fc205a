import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bashCompletion, zshCompletion } from '../../../src/cli/commands/completion.js';
import { CLI } from '../../helpers/e2e.js';

// The names a state folder would answer with; the real CLI is exercised in the e2e tests.
const FAKE_CLI = `gitjobs() {
  case "$2" in
    jobs|job) printf 'job.batch/pi\\njob.batch/myjob\\n' ;;
    pods|pod) printf 'pod/pi-abcde\\n' ;;
  esac
}`;

/** Runs the completion function for a command line whose last word is being typed. */
function complete(line: string): string[] {
  const words = line.split(' ');
  const script = `${bashCompletion()}\n${FAKE_CLI}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_gitjobs\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('completion bash', () => {
  it.each([
    ['gitjobs ap', ['apply']],
    ['gitjobs get ', ['jobs', 'cronjobs', 'pods', 'events', 'sources', 'all']],
    ['gitjobs describe ', ['jobs', 'cronjobs', 'pods', 'events', 'sources']],
    ['gitjobs ev', ['events']],
    ['gitjobs di', ['diff']],
    ['gitjobs patch job pi --type ', ['json', 'merge', 'strategic']],
    ['gitjobs events --types ', ['Normal', 'Warning']],
    ['gitjobs apply --dry', ['--dry-run=']],
    ['gitjobs get jobs ', ['pi', 'myjob']],
    ['gitjobs describe job m', ['myjob']],
    ['gitjobs delete jobs/p', ['jobs/pi']],
    ['gitjobs logs ', ['pi-abcde']],
    ['gitjobs suspend ', ['job', 'pi', 'myjob']],
    ['gitjobs wait --for', ['--for=']],
    ['gitjobs get jobs --sort', ['--sort-by']],
    ['gitjobs get pods -o cu', ['custom-columns=', 'custom-columns-file=']],
    ['gitjobs delete job pi --cascade ', ['background', 'foreground', 'orphan']],
    ['gitjobs completion ', ['bash', 'zsh']],
  ])('%s', (line, expected) => {
    expect(complete(line)).toEqual(expected);
  });

  it('the script registers itself for gitjobs', () => {
    expect(bashCompletion()).toContain('complete -o default -F _gitjobs gitjobs');
  });
});

describe('completion zsh', () => {
  it('runs the bash completion through bashcompinit', () => {
    const script = zshCompletion();
    expect(script.startsWith('#compdef gitjobs\n')).toBe(true);
    expect(script).toContain('bashcompinit');
    expect(script).toContain('_gitjobs()');
  });
});

describe('completion covers every flag', () => {
  // Flags added to a command and forgotten here would never complete: its own --help is the list.
  // (sync has no option lines: its one flag is in its usage.)
  const commands = ['apply', 'create', 'delete', 'describe', 'get', 'logs', 'patch', 'scale', 'suspend', 'resume', 'wait', 'history', 'rerun', 'daemon'];
  it.each(commands)('gitjobs %s: every flag of its --help completes', (command) => {
    const help = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' }).stdout;
    // The option lines: `  -o, --output FORMAT  ...` or `      --state DIR  ...`.
    const flags = new Set([...help.matchAll(/^ +(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!));
    expect(flags.size).toBeGreaterThan(0);
    const offered = complete(`gitjobs ${command} --`);
    expect([...flags].filter((f) => !offered.includes(f) && !offered.includes(`${f}=`))).toEqual([]);
  });
});
