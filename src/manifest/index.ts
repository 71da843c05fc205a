// The manifest layer: untrusted YAML or JSON text in, typed and defaulted
// Jobs plus located issues out. Everything downstream takes `ParsedJob`.

export { formatIssue, isError, type IssueCode, type IssueSeverity, type ManifestIssue } from './issues.js';
export { parseManifest, rejectDuplicates, type ManifestResult, type ParsedJob } from './parse.js';
export { loadManifests, loadManifestFiles, type LoadOptions, type LoadResult } from './load.js';
export { materializeJob, type MaterializedJob } from './selector.js';
export { specHash, MUTABLE_SPEC_FIELDS, RUN_ANNOTATION } from './hash.js';
export { fieldRows, type FieldRow, type Support } from './fields.js';
