import type { IssueCode, ManifestIssue } from './issues.js';
import type { Locator } from './locator.js';
import type { FieldPath } from './path.js';

export interface ReportOptions {
  /** Point at the key naming the field rather than its value. */
  at?: 'value' | 'key';
  /** Locate the issue here instead of at the field it is about. */
  locateAt?: FieldPath;
}

/**
 * Collects the issues of one document. Once a field has been reported as
 * malformed, later findings about the same field or anything below it are
 * dropped: they would only restate the first problem.
 */
export class Reporter {
  private readonly settled: FieldPath[] = [];
  private errors = 0;

  constructor(
    readonly file: string,
    readonly document: number,
    readonly locator: Locator,
    private readonly sink: ManifestIssue[],
  ) {}

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  error(code: IssueCode, path: FieldPath, message: string, opts: ReportOptions = {}): void {
    this.add('error', code, path, message, opts);
  }

  warn(code: IssueCode, path: FieldPath, message: string, opts: ReportOptions = {}): void {
    this.add('warning', code, path, message, opts);
  }

  /** Marks `path` as already reported, silencing further findings below it. */
  settle(path: FieldPath): void {
    this.settled.push(path);
  }

  isSettled(path: FieldPath): boolean {
    return this.settled.some((s) => path.within(s));
  }

  /**
   * A view that reports below `prefix`: the same validation serves a Job's
   * `spec` and a CronJob's `spec.jobTemplate.spec`.
   */
  scoped(prefix: FieldPath): Reporter {
    return new ScopedReporter(this, prefix);
  }

  private add(severity: 'error' | 'warning', code: IssueCode, path: FieldPath, message: string, opts: ReportOptions): void {
    if (this.isSettled(path)) return;
    const pos = this.locator.locate(opts.locateAt ?? path, opts.at ?? 'value');
    this.sink.push({
      code,
      severity,
      file: this.file,
      line: pos.line,
      column: pos.column,
      document: this.document,
      field: path.toString(),
      message,
    });
    if (severity === 'error') this.errors++;
  }
}


class ScopedReporter extends Reporter {
  constructor(
    private readonly parent: Reporter,
    private readonly prefix: FieldPath,
  ) {
    super(parent.file, parent.document, parent.locator, []);
  }

  override get hasErrors(): boolean {
    return this.parent.hasErrors;
  }

  override error(code: IssueCode, path: FieldPath, message: string, opts: ReportOptions = {}): void {
    this.parent.error(code, path.under(this.prefix), message, this.scopedOpts(opts));
  }

  override warn(code: IssueCode, path: FieldPath, message: string, opts: ReportOptions = {}): void {
    this.parent.warn(code, path.under(this.prefix), message, this.scopedOpts(opts));
  }

  override settle(path: FieldPath): void {
    this.parent.settle(path.under(this.prefix));
  }

  override isSettled(path: FieldPath): boolean {
    return this.parent.isSettled(path.under(this.prefix));
  }

  private scopedOpts(opts: ReportOptions): ReportOptions {
    return opts.locateAt === undefined ? opts : { ...opts, locateAt: opts.locateAt.under(this.prefix) };
  }
}
