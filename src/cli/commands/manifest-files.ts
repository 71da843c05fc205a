import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { GitjobsError } from '../../errors.js';

export interface ManifestFile {
  name: string;
  text: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * What `-f` names, as kubectl reads it: a file, a folder (its manifests,
 * recursively), `-` for standard input, or an http(s) URL.
 */
export async function readManifestArgs(args: string[], stdin: () => Promise<string> = readStdin): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const arg of args) {
    if (arg === '-') out.push({ name: 'STDIN', text: await stdin() });
    else if (/^https?:\/\//.test(arg)) out.push({ name: arg, text: await fetchText(arg) });
    else out.push(...(await readPath(arg)));
  }
  return out;
}

async function readPath(path: string): Promise<ManifestFile[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new GitjobsError('NotFound', `error: the path "${path}" does not exist`);
  }
  if (!isDir) return [{ name: path, text: await readFile(path, 'utf8') }];
  const files: ManifestFile[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(path, e.name);
    if (e.isDirectory()) files.push(...(await readPath(full)));
    else if (e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) files.push({ name: full, text: await readFile(full, 'utf8') });
  }
  return files;
}

async function fetchText(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new GitjobsError('NotFound', `error: unable to read URL "${url}": ${(err as Error).message}`);
  }
  if (!res.ok) throw new GitjobsError('NotFound', `error: unable to read URL "${url}", server reported ${res.status} ${res.statusText}, status code=${res.status}`);
  return res.text();
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
