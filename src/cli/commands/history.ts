import { GitjobsError } from '../../errors.js';
import { listRuns, runExitCodes, type Run } from '../../store/runs.js';
import { parseCommandOrHelp } from '../args.js';
import type { Io } from '../io.js';
import { humanDuration } from '../print/duration.js';
import { tabwrite, TABLE_LAYOUT } from '../print/tabwriter.js';
import { parseResourceArgs } from '../resources.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';

const HELP = `List the runs of a Job, including runs whose Job was deleted (TTL, prune, replacement, by hand).

Usage:
  gitjobs history job NAME [-o json]
Options:
  -n, --namespace NS   namespace (default "default")
  -o, --output json    the run records as JSON
      --state DIR      state folder (default $GITJOBS_STATE or ./state)

The RUN number is what 'gitjobs logs job/NAME --run N' takes.
`;

export async function historyCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('history', argv, {
    namespace: { type: 'string', short: 'n' },
    output: { type: 'string', short: 'o' },
    state: { type: 'string' },
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const { resource, names } = parseResourceArgs(positionals, 'history');
  if (resource !== 'jobs' || names.length !== 1) throw usageError('history takes one job: gitjobs history job NAME', 'history');
  if (values.output !== undefined && values.output !== 'json') throw usageError(`unsupported output format "${String(values.output)}" (json)`, 'history');
  const namespace = (values.namespace as string | undefined) ?? 'default';
  const db = openStateReadOnly(stateDirFrom(values.state as string | undefined));
  try {
    const runs = listRuns(db, namespace, names[0]!);
    if (runs.length === 0) throw new GitjobsError('NotFound', `Error from server (NotFound): no runs of jobs.batch "${names[0]}"`);
    const withCodes = runs.map((r) => ({ ...r, exitCodes: runExitCodes(db, r.jobUid) }));
    if (values.output === 'json') {
      io.out(JSON.stringify(withCodes.map((r, i) => ({ run: i + 1, ...r })), null, 4) + '\n');
      return 0;
    }
    io.out(formatHistory(withCodes, Date.now()));
    return 0;
  } finally {
    db.close();
  }
}

export function formatHistory(runs: readonly (Run & { exitCodes: number[] })[], now: number): string {
  const rows = ['RUN\tUID\tTRIGGER\tREVISION\tSTARTED\tDURATION\tRESULT\tREASON\tEXIT CODES\tDELETED'];
  runs.forEach((r, i) => {
    const started = r.startedAt === undefined ? '<none>' : `${humanDuration(now - r.startedAt)} ago`;
    const duration = r.startedAt === undefined ? '' : humanDuration((r.finishedAt ?? now) - r.startedAt);
    const result = r.result ?? (r.deletedAt !== undefined ? 'Deleted' : r.startedAt === undefined ? 'Pending' : 'Running');
    rows.push(
      [
        String(i + 1),
        r.jobUid.slice(0, 8),
        r.trigger,
        shortRevision(r),
        started,
        duration,
        result,
        r.reason ?? '',
        exitCodes(r.exitCodes),
        r.deletedBy === undefined ? '' : r.deletedBy,
      ].join('\t'),
    );
  });
  return tabwrite(rows.join('\n') + '\n', TABLE_LAYOUT);
}

function shortRevision(r: Run): string {
  if (r.commit !== undefined) return r.commit.sha.slice(0, 12);
  return r.revision ?? '';
}

/** Exit codes in the order containers ended; long lists keep their last five. */
function exitCodes(codes: readonly number[]): string {
  if (codes.length === 0) return '<none>';
  return codes.length <= 5 ? codes.join(',') : `…,${codes.slice(-5).join(',')}`;
}
