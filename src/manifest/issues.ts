// A problem found in a manifest, located precisely enough for an editor to jump to.

export type IssueCode =
  | 'YamlSyntax'
  | 'DuplicateKey'
  | 'NonStringKey'
  | 'UnsafeKey'
  | 'FileTooLarge'
  | 'TooDeep'
  | 'TooManyAliases'
  | 'UnsupportedKind'
  | 'UnknownField'
  | 'FieldNotSupported'
  | 'FieldRequired'
  | 'FieldInvalid'
  | 'FieldDuplicate'
  | 'FieldForbidden'
  | 'DuplicateJob'
  | 'FieldNotFound'
  | 'NameNotDNSLabel'
  | 'FieldIgnored'
  | 'ReadError';

export type IssueSeverity = 'error' | 'warning';

export interface ManifestIssue {
  code: IssueCode;
  severity: IssueSeverity;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 0-based index of the YAML document, or of the item of a `kind: List`. */
  document: number;
  /** Kubernetes field path, e.g. `spec.template.spec.containers[0].command`; '' when not about a field. */
  field: string;
  message: string;
}

/** `file:line:col: field: message`, as compilers and kubectl-style linters print them. */
export function formatIssue(i: Pick<ManifestIssue, 'file' | 'line' | 'column' | 'severity' | 'field' | 'message'>): string {
  const where = `${i.file}:${i.line}:${i.column}: `;
  const severity = i.severity === 'warning' ? 'warning: ' : '';
  const field = i.field === '' ? '' : `${i.field}: `;
  return `${where}${severity}${field}${i.message}`;
}

export function isError(i: ManifestIssue): boolean {
  return i.severity === 'error';
}

/** Stable order: by file, then document, then position. */
export function compareIssues(a: ManifestIssue, b: ManifestIssue): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.document - b.document || a.line - b.line || a.column - b.column;
}
