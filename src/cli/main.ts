#!/usr/bin/env node
// The CLI entry point stays lean: each command is imported only when used, so
// `gitjobs get jobs` never loads the daemon's module graph.
import { writeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { GitjobsError } from '../errors.js';
import type { Io } from './io.js';
import { ROOT_HELP, usageError } from './usage.js';

// Commands take Io from io.ts; this re-export keeps older imports compiling.
export type { Io };

/**
 * Writes straight to the file descriptor: creating `process.stdout` loads
 * Node's stream modules, a visible share of a short command. Node's own stdout
 * is synchronous for files and pipes on Linux, so this behaves the same, except
 * that a non-blocking descriptor (EAGAIN) hands this and later writes to the stream.
 */
function writer(fd: 1 | 2, stream: () => NodeJS.WriteStream): (s: string) => void {
  let fallback: NodeJS.WriteStream | undefined;
  return (s) => {
    if (fallback !== undefined) {
      fallback.write(s);
      return;
    }
    const buf = Buffer.from(s);
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // `gitjobs get pods | head`: a reader that goes away is not an error, as for any Unix tool.
        if (code === 'EPIPE') process.exit(0);
        if (code !== 'EAGAIN') throw err;
        fallback = stream();
        fallback.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        fallback.write(buf.subarray(off));
        return;
      }
    }
  };
}

const io: Io = {
  out: writer(1, () => process.stdout),
  err: writer(2, () => process.stderr),
};

/**
 * kubectl's global flags may come before the verb (`gitjobs -n dev get pods`).
 * The namespace moves behind the verb, where the commands that have one parse
 * it; the state folder becomes GITJOBS_STATE, which every command reads (its
 * own --state still wins).
 */
export function hoistGlobalFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const namespace: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const inline = /^(--state|--namespace|-n)=(.*)$/.exec(a) ?? (/^-n[^=-]/.test(a) ? ['', '-n', a.slice(2)] : null);
    const flag = inline?.[1] ?? (a === '-n' || a === '--namespace' || a === '--state' ? a : undefined);
    if (flag === undefined) break;
    if (inline === null && i + 1 >= argv.length) throw usageError(`flag needs an argument: ${a}`);
    const value = inline === null ? argv[++i]! : inline[2]!;
    if (flag === '--state') env.GITJOBS_STATE = value;
    else namespace.push('--namespace', value);
  }
  if (i === 0) return argv;
  // Only global flags, no command: the help, as kubectl prints it.
  if (i >= argv.length) return [];
  return [argv[i]!, ...namespace, ...argv.slice(i + 1)];
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = hoistGlobalFlags(argv);
  // A listing of 10,000 Jobs keeps what it reads until it prints, so V8's young
  // generation, doubling from 1 MB, fills a dozen times and copies the same rows
  // on each (a sixth of `get jobs`). Short-lived commands let it grow in one
  // step, up to V8's usual maximum; the long-running daemon keeps the defaults.
  if (command !== 'daemon') setFlagsFromString('--semi-space-growth-factor=16');
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(ROOT_HELP);
      return 0;
    case 'version':
    case '--version':
      return (await import('./commands/version.js')).versionCommand(rest, io);
    case 'validate': {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out('Check Job manifests without running them.\n\nUsage:\n  gitjobs validate PATH...\n\nPrints each problem as file:line:col: field: message; exits 1 on any error.\n');
        return 0;
      }
      const bad = rest.find((a) => a.startsWith('-'));
      if (bad !== undefined) throw usageError(`unknown flag: ${bad}`, 'validate');
      if (rest.length === 0) throw usageError('validate needs at least one file or folder', 'validate');
      return (await import('./commands/validate.js')).validateCommand(rest, {
        out: (s) => io.out(s.endsWith('\n') ? s : s + '\n'),
        err: (s) => io.err(s.endsWith('\n') ? s : s + '\n'),
      });
    }
    case 'daemon':
      return (await import('./commands/daemon.js')).daemonCommand(rest, io);
    case 'get':
      return (await import('./commands/get.js')).getCommand(rest, io);
    case 'events':
      return (await import('./commands/events.js')).eventsCommand(rest, io);
    case 'describe':
      return (await import('./commands/describe.js')).describeCommand(rest, io);
    case 'logs':
      return (await import('./commands/logs.js')).logsCommand(rest, io);
    case 'sync':
      return (await import('./commands/sync.js')).syncCommand(rest, io);
    case 'rerun':
      return (await import('./commands/rerun.js')).rerunCommand(rest, io);
    case 'history':
      return (await import('./commands/history.js')).historyCommand(rest, io);
    case 'apply':
      return (await import('./commands/apply.js')).applyCommand(rest, io);
    case 'create':
      return (await import('./commands/create.js')).createCommand(rest, io);
    case 'delete':
      return (await import('./commands/delete.js')).deleteCommand(rest, io);
    case 'diff':
      return (await import('./commands/diff.js')).diffCommand(rest, io);
    case 'patch':
      return (await import('./commands/patch.js')).patchCommand(rest, io);
    case 'scale':
      return (await import('./commands/scale.js')).scaleCommand(rest, io);
    case 'suspend':
      return (await import('./commands/suspend.js')).suspendCommand(rest, io);
    case 'resume':
      return (await import('./commands/resume.js')).resumeCommand(rest, io);
    case 'wait':
      return (await import('./commands/wait.js')).waitCommand(rest, io);
    case 'kubeconfig':
      return (await import('./commands/kubeconfig.js')).kubeconfigCommand(rest, io);
    case 'completion':
      return (await import('./commands/completion.js')).completionCommand(rest, io);
    case 'doctor':
      return (await import('./commands/doctor.js')).doctorCommand(rest, io);
    default:
      throw usageError(`unknown command "${command}" for "gitjobs"`);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof GitjobsError) {
      // Every failure reads as kubectl's do: `error: …` or `Error from server (…): …`.
      const text = /^(error: |Error from server|The )/.test(err.message) ? err.message : `error: ${err.message}`;
      io.err(text.endsWith('\n') ? text : text + '\n');
      return err.code === 'Usage' ? 2 : 1;
    }
    io.err(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// The daemon keeps the event loop alive itself; every other command ends here.
if (code !== -1) process.exitCode = code;
