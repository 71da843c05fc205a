// Manifest text is untrusted, and the YAML parser can be driven into a stack
// overflow or a fatal out-of-memory that no try/catch survives (V8 aborts the
// whole process). The daemon therefore parses in a worker thread with its own
// heap and stack limits: if the worker dies, only the file it was parsing is
// refused, a fresh worker takes over, and the daemon keeps running.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData, type ResourceLimits } from 'node:worker_threads';
import type { ManifestIssue } from './issues.js';
import type { Position } from './locator.js';
import { namePosition, parseDocuments, setNamePosition, type ManifestResult } from './parse.js';
import { errorMessage } from '../errors.js';

/** Parses one file's text; results are the same as `parseDocuments`. */
export type ParseFn = (text: string, file: string) => Promise<ManifestResult> | ManifestResult;

export interface IsolatedParserOptions {
  /** A file that takes longer than this is refused and its worker replaced. */
  timeoutMs?: number;
  resourceLimits?: ResourceLimits;
}

export const DEFAULT_PARSE_TIMEOUT_MS = 10_000;
// A 1 MiB file (the size cap) parses well within these; a hostile one hits them.
export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

interface Request {
  id: number;
  text: string;
  file: string;
}
interface Reply {
  id: number;
  result?: ManifestResult;
  positions?: (Position | undefined)[];
  error?: string;
}

interface Pending extends Request {
  resolve: (r: ManifestResult) => void;
  timer?: NodeJS.Timeout;
}

/**
 * One worker, reused across files, one file at a time (so a crash is always
 * attributed to the right file). Requests queue in order.
 */
export class IsolatedParser {
  private worker: Worker | undefined;
  private queue: Pending[] = [];
  private current: Pending | undefined;
  private nextId = 1;
  private closed = false;
  /** Workers started so far: 1 + the number of crashes and timeouts. */
  workersStarted = 0;

  constructor(private readonly o: IsolatedParserOptions = {}) {}

  readonly parse = (text: string, file: string): Promise<ManifestResult> => {
    if (this.closed) return Promise.resolve(parseDocuments(text, file));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, text, file, resolve });
      this.pump();
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    // Anything still queued is parsed in-process rather than dropped: the limits before parsing still apply.
    for (const p of [...(this.current ? [this.current] : []), ...this.queue.splice(0)]) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve(parseDocuments(p.text, p.file));
    }
    this.current = undefined;
    if (w) await w.terminate();
  }

  private pump(): void {
    if (this.current !== undefined || this.closed) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.current = next;
    const worker = this.ensureWorker();
    next.timer = setTimeout(() => {
      this.fail(`parsing took longer than ${this.o.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS} ms`);
    }, this.o.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS);
    next.timer.unref();
    // Busy, the worker keeps the process alive until the answer arrives; idle, it does not.
    worker.ref();
    worker.postMessage({ id: next.id, text: next.text, file: next.file } satisfies Request);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(workerEntry(), {
      workerData: { gitjobsManifestParser: true },
      resourceLimits: this.o.resourceLimits ?? DEFAULT_RESOURCE_LIMITS,
    });
    this.workersStarted++;
    // An idle parser must not keep the process alive.
    w.unref();
    w.on('message', (reply: Reply) => this.onReply(w, reply));
    w.on('error', (err) => {
      if (this.worker === w) this.fail(`the parser ran out of resources on this file (${err.message})`);
    });
    w.on('exit', (code) => {
      if (this.worker === w) this.fail(`the parser stopped on this file (exit code ${code})`);
    });
    this.worker = w;
    return w;
  }

  private onReply(w: Worker, reply: Reply): void {
    const p = this.current;
    if (this.worker !== w || p === undefined || p.id !== reply.id) return;
    if (p.timer) clearTimeout(p.timer);
    this.current = undefined;
    w.unref();
    if (reply.result !== undefined) {
      reply.result.jobs.forEach((job, i) => {
        const pos = reply.positions?.[i];
        if (pos !== undefined) setNamePosition(job, pos);
      });
      p.resolve(reply.result);
    } else {
      p.resolve(refused(p.file, reply.error ?? 'the parser failed on this file'));
    }
    this.pump();
  }

  /** The worker crashed or hung on the current file: refuse that file and start afresh. */
  private fail(reason: string): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners('message');
      void w.terminate();
    }
    const p = this.current;
    this.current = undefined;
    if (p) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve(refused(p.file, `${reason}; the file is refused`));
    }
    this.pump();
  }
}

function refused(file: string, message: string): ManifestResult {
  const issue: ManifestIssue = { code: 'ReadError', severity: 'error', file, line: 1, column: 1, document: 0, field: '', message };
  return { jobs: [], issues: [issue] };
}

/**
 * The compiled module runs in the worker. Under a TypeScript test runner this
 * module is the `.ts` source, which a plain worker cannot load, so the worker
 * runs its compiled twin from `dist/` instead.
 */
function workerEntry(): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return here;
  const compiled = new URL(here.href.replace(/\/src\/([^]*)\.ts$/, '/dist/$1.js'));
  if (!existsSync(fileURLToPath(compiled))) throw new Error(`the manifest parser worker needs the compiled ${fileURLToPath(compiled)}; run the build first`);
  return compiled;
}

// The worker side: parse, reply, repeat.
if (!isMainThread && parentPort !== null && (workerData as { gitjobsManifestParser?: boolean } | null)?.gitjobsManifestParser === true) {
  const port = parentPort;
  port.on('message', (req: Request) => {
    try {
      const result = parseDocuments(req.text, req.file);
      port.postMessage({ id: req.id, result, positions: result.jobs.map((j) => namePosition(j)) } satisfies Reply);
    } catch (err) {
      port.postMessage({ id: req.id, error: `the parser failed on this file: ${errorMessage(err)}` } satisfies Reply);
    }
  });
}
