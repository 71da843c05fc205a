import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue, parseManifest } from '../../manifest/index.js';
import { getJobByName } from '../../store/jobs.js';
import { STATE_DB_FILE } from '../../store/db.js';
import type { Io } from '../io.js';
import { openStateReadOnly } from '../state.js';
import type { Line } from './apply-line.js';
import type { ManifestFile } from './manifest-files.js';

/**
 * `--dry-run=client`: the manifests checked here, as the daemon would parse
 * them, and each Job looked up in the state folder (read only) to say created
 * or configured. Nothing is sent; no daemon is needed.
 */
export async function checkLocally(op: 'apply' | 'create', files: ManifestFile[], stateDir: string, io: Io): Promise<Line[]> {
  const db = existsSync(join(stateDir, STATE_DB_FILE)) ? openStateReadOnly(stateDir) : undefined;
  try {
    const lines: Line[] = [];
    for (const file of files) {
      const { jobs, issues } = parseManifest(file.text, file.name);
      for (const issue of issues) {
        if (issue.severity === 'error') lines.push({ error: formatIssue(issue) });
        else io.err(`${formatIssue(issue)}\n`);
      }
      for (const job of jobs) {
        const exists = op === 'apply' && db !== undefined && getJobByName(db, job.namespace, job.name) !== undefined;
        lines.push({ name: job.name, outcome: exists ? 'configured' : 'created', manifest: job.manifest });
      }
    }
    return lines;
  } finally {
    db?.close();
  }
}
