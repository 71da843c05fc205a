import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from '../../api/types.js';
import { GitjobsError } from '../../errors.js';
import { getJobByName } from '../../store/jobs.js';
import { getJobStatus } from '../../store/status.js';
import { parseCommandOrHelp } from '../args.js';
import { callDaemon } from '../control-client.js';
import type { Io } from '../io.js';
import { formatYaml } from '../print/format.js';
import { toJobObject } from '../print/objects.js';
import { openStateReadOnly, stateDirFrom } from '../state.js';
import { usageError } from '../usage.js';
import type { Line } from './apply-line.js';
import { readManifestArgs } from './manifest-files.js';

const HELP = `Diff the live Jobs against what applying the files would make them (kubectl diff).

Usage:
  gitjobs diff -f FILENAME [-f FILENAME...]

Options:
  -f, --filename PATH   a manifest file, a folder of manifests, a URL, or - for stdin
  -R, --recursive       accepted for compatibility; folders are always read recursively
      --state DIR       state folder (default $GITJOBS_STATE or ./state)

The daemon applies the files as a server dry run (nothing is kept), and the live and resulting
objects are compared with \`diff -u -N\` (or $KUBECTL_EXTERNAL_DIFF). Exit status, as kubectl:
0 no differences, 1 differences found, greater than 1 an error.
`;

export async function diffCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('diff', argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R' },
    state: { type: 'string' },
  }, HELP, io);
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'diff');
  const paths = (values.filename as string[] | undefined) ?? [];
  if (paths.length === 0) throw usageError('must specify one of -f and -k', 'diff');
  const stateDir = stateDirFrom(values.state as string | undefined);
  const files = await readManifestArgs(paths);
  const reply = await callDaemon(stateDir, { op: 'apply-dry-run', files });
  const lines = (reply.lines as Line[] | undefined) ?? [];
  if (lines.length === 0) throw new GitjobsError('Invalid', 'error: no objects passed to diff');
  const errors = lines.filter((l): l is { error: string } => 'error' in l);
  // An object that cannot be applied has no result to compare: kubectl fails the whole diff.
  if (errors.length > 0) {
    for (const e of errors) io.err(e.error.endsWith('\n') ? e.error : `${e.error}\n`);
    return 2;
  }
  const root = mkdtempSync(join(tmpdir(), 'gitjobs-diff-'));
  const live = join(root, 'LIVE');
  const merged = join(root, 'MERGED');
  mkdirSync(live);
  mkdirSync(merged);
  const db = openStateReadOnly(stateDir);
  try {
    for (const line of lines) {
      if ('error' in line || line.job === undefined) continue;
      const file = `batch.v1.Job.${line.job.namespace}.${line.job.name}`;
      const current = getJobByName(db, line.job.namespace, line.job.name);
      const status = current === undefined ? undefined : getJobStatus(db, current.uid);
      if (current !== undefined) writeFileSync(join(live, file), render(current, status));
      // A Job the apply would create has no status yet; one it changes keeps the live status.
      writeFileSync(join(merged, file), render(line.job, line.job.uid === current?.uid ? status : undefined));
    }
    const [program, ...args] = (process.env.KUBECTL_EXTERNAL_DIFF ?? 'diff -u -N').split(/\s+/).filter((w) => w !== '');
    const r = spawnSync(program!, [...args, live, merged], { encoding: 'utf8' });
    if (r.error !== undefined) throw new GitjobsError('Internal', `error: running ${program}: ${r.error.message}`);
    io.out(r.stdout);
    if (r.stderr !== '') io.err(r.stderr);
    return r.status ?? 2;
  } finally {
    db.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function render(job: Job, status: Parameters<typeof toJobObject>[1]): string {
  return formatYaml(toJobObject(job, status));
}
