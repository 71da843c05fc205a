import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration as parseGoDuration } from '../util/duration.js';
import { usageError } from './usage.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags for one command; an unknown flag or a missing value is a usage error (exit 2), as in kubectl. */
export function parseCommand(command: string, argv: string[], options: OptionSpec): {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const msg = (err as Error).message.replace(/^Unknown option/, 'unknown flag').replace(/\. To specify a positional.*$/, '');
    throw usageError(msg, command);
  }
}

/** Durations as Go and kubectl write them: 10s, 1m30s, 250ms, 2h; anything else is a usage error of `command`. */
export function parseDuration(text: string, command?: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) throw usageError(`invalid duration "${text}": use a number with a unit, e.g. 10s, 250ms, 1m`, command);
  return ms;
}

/** The flags most commands share: the namespace and the state folder. */
export const SCOPE_FLAGS = {
  namespace: { type: 'string', short: 'n' },
  state: { type: 'string' },
} as const satisfies OptionSpec;

/**
 * parseCommand plus `-h/--help`: prints the command's help and returns
 * undefined when asked for it, so a command only has to return 0.
 */
export function parseCommandOrHelp(
  command: string,
  argv: string[],
  options: OptionSpec,
  help: string,
  io: { out: (s: string) => void },
): ReturnType<typeof parseCommand> | undefined {
  const parsed = parseCommand(command, argv, { ...options, help: { type: 'boolean', short: 'h' } });
  if (parsed.values.help) {
    io.out(help);
    return undefined;
  }
  return parsed;
}
