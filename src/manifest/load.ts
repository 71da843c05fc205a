import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareIssues, type ManifestIssue } from './issues.js';
import { fileTooLarge, MAX_FILE_BYTES } from './limits.js';
import { parseDocuments, rejectDuplicates, type ManifestResult } from './parse.js';
import type { ParseFn } from './worker.js';
import { errorMessage } from '../errors.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadOptions {
  /** File names in results are relative to this folder; default: each path as given, with what was found under it. */
  root?: string;
  /** How each file's text is parsed; the daemon passes an isolated parser (see worker.ts). */
  parse?: ParseFn;
}

export interface LoadResult extends ManifestResult {
  /** Every manifest file read, as reported. */
  files: string[];
}

/** `loadManifestFiles` without the list of files. */
export async function loadManifests(paths: string[], opts: LoadOptions = {}): Promise<ManifestResult> {
  const { files: _files, ...result } = await loadManifestFiles(paths, opts);
  return result;
}

/**
 * Reads manifests from files and folders (recursively: `.yaml`, `.yml` and
 * `.json`; hidden entries such as `.git` are skipped). Symbolic links met
 * while walking a folder are not followed, so a repository cannot point
 * gitjobs at files outside it; one named like a manifest, or leading to a
 * folder, is reported. A Job defined twice across all of them is an
 * issue, not a last-one-wins.
 */
export async function loadManifestFiles(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const base = path.resolve(opts.root ?? process.cwd());
  const relative = (from: string, abs: string): string => {
    const rel = path.relative(from, abs);
    return (rel === '' ? '.' : rel).split(path.sep).join('/');
  };
  // Without a root, a file is named the way the user named the path it was found under
  // (`validate /srv/jobs` prints /srv/jobs/pi.yaml, never ../../srv/jobs/pi.yaml).
  const givenAs = new Map<string, string>();
  const display = (abs: string): string => givenAs.get(abs) ?? relative(base, abs);
  const remember = (given: string, absGiven: string, abs: string): void => {
    if (opts.root !== undefined || givenAs.has(abs)) return;
    const under = relative(absGiven, abs);
    givenAs.set(abs, under === '.' ? given : path.posix.join(given.split(path.sep).join('/'), under));
  };
  const files: string[] = [];
  const issues: ManifestIssue[] = [];
  const fail = (file: string, message: string): void => {
    issues.push({ code: 'ReadError', severity: 'error', file, line: 1, column: 1, document: 0, field: '', message });
  };
  const parse = opts.parse ?? parseDocuments;

  for (const p of paths) {
    const abs = path.resolve(base, p);
    try {
      const st = await stat(abs);
      if (st.isDirectory()) {
        const found = await walk(abs);
        for (const f of [...found.files, ...found.links]) remember(p, abs, f);
        files.push(...found.files);
        for (const link of found.links) fail(display(link), SYMLINK_MESSAGE);
      } else {
        remember(p, abs, abs);
        files.push(abs);
      }
    } catch (err) {
      remember(p, abs, abs);
      fail(display(abs), describe(err));
    }
  }

  const unique = [...new Set(files)];
  const jobs: ManifestResult['jobs'] = [];
  const cronJobs: NonNullable<ManifestResult['cronJobs']> = [];
  for (const abs of unique) {
    const file = display(abs);
    try {
      const st = await stat(abs);
      if (st.size > MAX_FILE_BYTES) {
        issues.push(fileTooLarge(file, st.size));
        continue;
      }
      const parsed = await parse(await readFile(abs, 'utf8'), file);
      jobs.push(...parsed.jobs);
      cronJobs.push(...(parsed.cronJobs ?? []));
      issues.push(...parsed.issues);
    } catch (err) {
      fail(file, describe(err));
    }
  }
  const result = rejectDuplicates({ jobs, issues, cronJobs });
  result.issues.sort(compareIssues);
  return { ...result, files: unique.map(display) };
}

const SYMLINK_MESSAGE = 'symbolic link not followed: a manifest must be a regular file inside the folder';

/** Manifest files under a folder, and the symbolic links that would have been manifests or folders. */
async function walk(dir: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    const manifestName = EXTENSIONS.has(path.extname(e.name).toLowerCase());
    // Dirent types come from lstat: a symlink is neither a file nor a directory here.
    if (e.isDirectory()) {
      const sub = await walk(full);
      files.push(...sub.files);
      links.push(...sub.links);
    } else if (e.isFile() && manifestName) files.push(full);
    // A link could lead out of the folder; it is reported so a user sees why its Jobs do not run.
    else if (e.isSymbolicLink() && (manifestName || (await pointsAtFolder(full)))) links.push(full);
  }
  return { files, links };
}

async function pointsAtFolder(link: string): Promise<boolean> {
  try {
    return (await lstat(link)).isSymbolicLink() && (await stat(link)).isDirectory();
  } catch {
    return false;
  }
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return errorMessage(err);
}
