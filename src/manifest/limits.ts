// Hard limits for untrusted manifest text. They are checked before the YAML
// parser runs because the parser itself can be driven into a stack overflow
// (deep flow nesting) or out of memory.

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIASES = 100;
/** Without aliases a document cannot have more nodes than its file has bytes. */
export const MAX_NODES = MAX_FILE_BYTES;

export interface TextPosition {
  offset: number;
}

/**
 * Finds the first place where flow collections (`[`, `{`) nest deeper than
 * `limit`, skipping quoted scalars, comments and block scalars. It is a
 * heuristic over characters, not a parser; a precise check on the token tree
 * follows, so erring on either side is safe.
 */
export function scanFlowDepth(text: string, limit = MAX_DEPTH): TextPosition | undefined {
  let depth = 0;
  let quote: '"' | "'" | undefined;
  let blockScalarIndent = -1;
  let lineStart = 0;
  let i = 0;
  while (i < text.length) {
    if (lineStart === i && quote === undefined) {
      const indent = leadingSpaces(text, i);
      const eol = lineEnd(text, i);
      const blank = indent === eol - i;
      if (blockScalarIndent >= 0 && (blank || indent > blockScalarIndent)) {
        i = lineStart = eol + 1;
        continue;
      }
      blockScalarIndent = -1;
      if (depth === 0 && opensBlockScalar(text.slice(i, eol))) blockScalarIndent = indent;
    }
    const c = text[i];
    if (c === '\n') {
      lineStart = i + 1;
    } else if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") i++;
        else quote = undefined;
      }
    } else if (c === '#' && (i === lineStart || isSpace(text[i - 1]))) {
      i = lineEnd(text, i);
      continue;
    } else if ((c === '"' || c === "'") && startsNode(text, i, lineStart)) {
      quote = c;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > limit) return { offset: i };
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
    i++;
  }
  return undefined;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function leadingSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ') i++;
  return i - from;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

// A quote starts a quoted scalar only where a node may begin.
function startsNode(text: string, i: number, lineStart: number): boolean {
  if (i === lineStart) return true;
  const prev = text[i - 1];
  if (prev === undefined || isSpace(prev) || prev === '[' || prev === '{' || prev === ',') return true;
  return prev === ':' && (text[i - 2] === '"' || text[i - 2] === "'");
}

function opensBlockScalar(line: string): boolean {
  return /(^|[\s:-])[|>][-+0-9]*\s*(#.*)?\r?$/.test(line);
}

/** The issue for a file over the size cap, checked before anything parses it. */
export function fileTooLarge(file: string, size: number): import('./issues.js').ManifestIssue {
  return {
    code: 'FileTooLarge',
    severity: 'error',
    file,
    line: 1,
    column: 1,
    document: 0,
    field: '',
    message: `file is ${size} bytes; manifests may be at most ${MAX_FILE_BYTES} bytes`,
  };
}
