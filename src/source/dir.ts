import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { loadManifests, type ManifestResult } from '../manifest/index.js';
import { IsolatedParser } from '../manifest/worker.js';
import type { Logger } from '../util/logger.js';
import { errorFields } from '../errors.js';

export interface DirSnapshot {
  revision: string;
  manifests: ManifestResult;
  /** Files that failed to parse right after a write: their Jobs stay as they were, unreported. */
  heldBack: string[];
}

export interface DirSourceOptions {
  dir: string;
  logger: Logger;
  onSnapshot: (snap: DirSnapshot) => void;
  /** Quiet time after the last file event before a rescan. */
  debounceMs?: number;
  /** A file changed this recently that fails to parse may still be being written. */
  settleMs?: number;
}

/**
 * Watches a folder of manifests. Every change leads to a rescan of the whole
 * folder (level-triggered, as a resync), debounced. chokidar's awaitWriteFinish
 * would add seconds; instead a parse error in a file that was just written is
 * held back and the file read again once it has been quiet for settleMs.
 */
export class DirSource {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scanning = false;
  private again = false;
  // Parsing happens off the main thread: a manifest that crashes the parser costs a worker, not the daemon.
  private readonly parser = new IsolatedParser();
  readonly dir: string;

  constructor(private readonly o: DirSourceOptions) {
    this.dir = resolve(o.dir);
  }

  async start(): Promise<void> {
    await this.scan();
    this.watcher = watch(this.dir, { ignoreInitial: true, persistent: true, followSymlinks: false, depth: 32 });
    const kick = (): void => this.schedule(this.o.debounceMs ?? 25);
    this.watcher.on('add', kick).on('change', kick).on('unlink', kick).on('addDir', kick).on('unlinkDir', kick);
    this.watcher.on('error', (err) => this.o.logger.error('watch error', { dir: this.dir, ...errorFields(err) }));
    await new Promise<void>((res) => this.watcher!.once('ready', () => res()));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
    await this.parser.close();
  }

  /** Rescans now (also what a manual sync does). */
  async scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = true;
    try {
      do {
        this.again = false;
        const manifests = await loadManifests([this.dir], { root: this.dir, parse: this.parser.parse });
        const settleMs = this.o.settleMs ?? 300;
        const now = Date.now();
        const settling = new Set(
          manifests.issues
            .filter((i) => i.severity === 'error' && modifiedWithin(resolve(this.dir, i.file), now, settleMs))
            .map((i) => i.file),
        );
        if (settling.size > 0) {
          manifests.issues = manifests.issues.filter((i) => !settling.has(i.file));
          manifests.jobs = manifests.jobs.filter((j) => !settling.has(j.file));
          this.schedule(settleMs);
        }
        this.o.onSnapshot({ revision: revisionOf(this.dir, manifests), manifests, heldBack: [...settling] });
      } while (this.again);
    } finally {
      this.scanning = false;
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.scan().catch((err) => this.o.logger.error('scan failed', { dir: this.dir, ...errorFields(err) }));
    }, ms);
  }
}

function modifiedWithin(path: string, now: number, ms: number): boolean {
  try {
    return now - lstatSync(path).mtimeMs < ms;
  } catch {
    return false;
  }
}

/** A content revision: the same files with the same bytes give the same revision. */
function revisionOf(dir: string, m: ManifestResult): string {
  const h = createHash('sha256');
  const files = new Set([...m.jobs.map((j) => j.file), ...(m.cronJobs ?? []).map((c) => c.file), ...m.issues.map((i) => i.file)]);
  for (const f of [...files].sort()) {
    h.update(f);
    try {
      const path = resolve(dir, f);
      // A link is never read through (it may lead out of the folder): its target names it.
      h.update(lstatSync(path).isSymbolicLink() ? `\0link:${readlinkSync(path)}` : readFileSync(path));
    } catch {
      h.update('\0missing');
    }
  }
  return `sha256:${h.digest('hex').slice(0, 12)}`;
}
