#!/usr/bin/env node
// The CLI entry point stays lean: each command is imported only when used, so
// `gitjobs get jobs` never loads the daemon's module graph.
import { GitjobsError } from '../errors.js';
import { ROOT_HELP, usageError } from './usage.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

// `gitjobs get pods | head`: a reader that goes away is not an error, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const io: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
    case 'completion':
      return (await import('./commands/completion.js')).completionCommand(rest, io);
    default:
      throw usageError(`unknown command "${command}" for "gitjobs"`);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof GitjobsError) {
      io.err(err.message.endsWith('\n') ? err.message : err.message + '\n');
      return err.code === 'Usage' ? 2 : 1;
    }
    io.err(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// The daemon keeps the event loop alive itself; every other command ends here.
if (code !== -1) process.exitCode = code;
