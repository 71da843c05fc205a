import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/** Durations as Go and kubectl write them: 10s, 1m30s, 250ms, 2h. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (consumed !== text.length || text.length === 0) {
    throw usageError(`invalid duration "${text}": use a number with a unit, e.g. 10s, 250ms, 1m`);
  }
  return total;
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
