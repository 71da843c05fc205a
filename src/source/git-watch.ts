// Notices ref updates in a local repository within milliseconds. git writes
// a ref as `<name>.lock` and renames it into place, so the folders holding
// refs are watched rather than the files, whose inodes change on every update.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../util/logger.js';

export class RefWatcher {
  private watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly gitdir: string;

  constructor(
    private readonly o: {
      gitdir: string;
      /** The followed ref's file, e.g. `refs/heads/team/main`, whose folder is watched too. */
      fullref?: string;
      debounceMs?: number;
      logger: Logger;
      onChange: () => void;
    },
  ) {
    this.gitdir = o.gitdir;
  }

  /** Starts any watch not running yet (a folder such as `refs/tags` may appear later); cheap to repeat. */
  arm(): void {
    if (this.closed) return;
    const { gitdir } = this.o;
    // HEAD and packed-refs live at the top; other top-level files (index, logs) are noise.
    this.add(gitdir, (name) => name === null || name.startsWith('HEAD') || name.startsWith('packed-refs'));
    this.add(join(gitdir, 'refs', 'heads'));
    this.add(join(gitdir, 'refs', 'tags'));
    if (this.o.fullref?.startsWith('refs/')) this.add(dirname(join(gitdir, this.o.fullref)));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private add(dir: string, relevant: (name: string | null) => boolean = () => true): void {
    if (this.watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (relevant(name === null ? null : String(name))) this.kick();
      });
      w.on('error', () => {
        // The folder went away (e.g. `git pack-refs` removed it); the next arm() re-creates the watch.
        w.close();
        this.watchers.delete(dir);
        this.kick();
      });
      this.watchers.set(dir, w);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.o.logger.warn('cannot watch git refs', { dir, error: String(err) });
    }
  }

  private kick(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.o.onChange();
    }, this.o.debounceMs ?? 20);
  }
}
