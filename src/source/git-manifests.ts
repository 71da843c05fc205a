// Reads the manifests of one commit straight from the object database: the
// working tree and index never count, only what was committed.
import fs from 'node:fs';
import git from 'isomorphic-git';
import type { ManifestIssue } from '../manifest/issues.js';
import { fileTooLarge, MAX_FILE_BYTES } from '../manifest/limits.js';
import { parseDocuments, rejectDuplicates, type ManifestResult } from '../manifest/parse.js';

const EXTENSIONS = ['.yaml', '.yml', '.json'];
const SYMLINK = 0o120000;

/** `a/b/` and `./a/b` → `a/b`; the repository root is ''. */
export function normalizeScope(path: string | undefined): string {
  const parts = (path ?? '').split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`path "${path}" leaves the repository`);
  return parts.join('/');
}

interface Found {
  file: string;
  oid: string;
  bytes?: Uint8Array;
  parsed?: ManifestResult;
}

/**
 * Parses every manifest under a folder of a commit. Files are read inside a
 * single tree walk (reading each through the commit is an order of magnitude
 * slower), and a file whose blob did not change since the previous read is
 * not parsed again.
 */
export class ManifestReader {
  private parsed = new Map<string, ManifestResult>();

  constructor(
    private readonly repo: { gitdir: string; cache: object },
    /** Where text is parsed; the daemon passes a crash-contained worker. */
    private readonly parse: (text: string, file: string) => Promise<ManifestResult> | ManifestResult = parseDocuments,
  ) {}

  async read(commit: string, scope: string, requireScope = false): Promise<ManifestResult> {
    let scopeFound = scope === '';
    const found = (await git.walk({
      fs,
      gitdir: this.repo.gitdir,
      cache: this.repo.cache,
      trees: [git.TREE({ ref: commit })],
      map: async (filepath, [entry]) => {
        if (entry === null || entry === undefined) return null;
        if (filepath === '.') return undefined;
        const where = relation(filepath, scope);
        if (where === 'outside') return null;
        if (where === 'exact') scopeFound = true;
        // Hidden entries (.github/, .gitlab-ci.yml) are tooling, not Jobs, as when reading a folder.
        if (where === 'inside' && basename(filepath).startsWith('.')) return null;
        const type = await entry.type();
        if (type === 'tree') return undefined;
        if (type !== 'blob' || where === 'ancestor') return null;
        // A symlink could name a file outside the repository; it is never followed.
        if ((await entry.mode()) === SYMLINK) return null;
        if (where === 'inside' && !EXTENSIONS.some((ext) => filepath.toLowerCase().endsWith(ext))) return null;
        const oid = await entry.oid();
        const parsed = this.parsed.get(key(filepath, oid));
        if (parsed !== undefined) return { file: filepath, oid, parsed } satisfies Found;
        const bytes = await entry.content();
        return { file: filepath, oid, bytes: bytes ?? new Uint8Array() } satisfies Found;
      },
    })) as Found[];

    const issues: ManifestIssue[] = [];
    // Git keeps no empty folders: removing a folder's last manifest removes the
    // folder, and that is a request to prune its Jobs, not a broken source.
    if (!scopeFound && requireScope) {
      issues.push({ code: 'ReadError', severity: 'error', file: scope, line: 1, column: 1, document: 0, field: '', message: 'no such file or directory' });
    }
    const next = new Map<string, ManifestResult>();
    const jobs: ManifestResult['jobs'] = [];
    const cronJobs: NonNullable<ManifestResult['cronJobs']> = [];
    for (const f of found.sort((a, b) => comparePaths(a.file, b.file))) {
      const result = f.parsed ?? (await this.parseFile(f.file, f.bytes ?? new Uint8Array()));
      next.set(key(f.file, f.oid), result);
      jobs.push(...result.jobs);
      cronJobs.push(...(result.cronJobs ?? []));
      issues.push(...result.issues);
    }
    // Only the previous commit's files are worth remembering.
    this.parsed = next;
    return rejectDuplicates({ jobs, issues, cronJobs });
  }

  private async parseFile(file: string, bytes: Uint8Array): Promise<ManifestResult> {
    if (bytes.length > MAX_FILE_BYTES) {
      return { jobs: [], issues: [fileTooLarge(file, bytes.length)] };
    }
    // Decoded like a file read from disk (a byte-order mark stays, invalid bytes become U+FFFD).
    return this.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'), file);
  }
}



function key(file: string, oid: string): string {
  return `${oid}\0${file}`;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Where a path of the tree stands relative to the folder being read. */
function relation(path: string, scope: string): 'inside' | 'exact' | 'ancestor' | 'outside' {
  if (scope === '') return 'inside';
  if (path === scope) return 'exact';
  if (path.startsWith(scope + '/')) return 'inside';
  if (scope.startsWith(path + '/')) return 'ancestor';
  return 'outside';
}

/** Folder by folder, the order in which reading the checked-out folder lists files. */
function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
