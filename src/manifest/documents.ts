import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  type Document,
  type CST,
  type Node as YamlNode,
} from 'yaml';
import type { IssueCode, ManifestIssue } from './issues.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, scanFlowDepth } from './limits.js';
import { Locator, type Position } from './locator.js';
import type { Segment } from './path.js';

/** One YAML document as plain data, with the positions of its nodes. */
export interface YamlDocument {
  /** 0-based index among the documents of the file, empty ones included. */
  index: number;
  start: Position;
  value: unknown;
  locator: Locator;
}

export interface YamlReadResult {
  documents: YamlDocument[];
  issues: ManifestIssue[];
  /** How many YAML documents the file holds, empty and refused ones included. */
  documentCount: number;
}

class DocumentRefused extends Error {
  constructor(
    readonly code: IssueCode,
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a file into YAML documents and converts each to plain data. JSON is
 * YAML, so `.json` files take the same path and get the same positions.
 */
export function readYamlDocuments(text: string, file: string): YamlReadResult {
  const issues: ManifestIssue[] = [];
  const fileIssue = (code: IssueCode, pos: Position, message: string): YamlReadResult => {
    issues.push({ code, severity: 'error', file, line: pos.line, column: pos.column, document: 0, field: '', message });
    return { documents: [], issues, documentCount: 0 };
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    return fileIssue('FileTooLarge', { line: 1, column: 1 }, `file is ${bytes} bytes; manifests may be at most ${MAX_FILE_BYTES} bytes`);
  }
  const lines = new LineCounter();
  const at = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };

  const flowTooDeep = scanFlowDepth(text);
  if (flowTooDeep !== undefined) {
    return fileIssue('TooDeep', positionAt(text, flowTooDeep.offset), `nesting is deeper than ${MAX_DEPTH} levels`);
  }

  const tokens = Array.from(new Parser(lines.addNewLine).parse(text));
  const deep = findTooDeep(tokens);
  if (deep !== undefined) return fileIssue('TooDeep', at(deep), `nesting is deeper than ${MAX_DEPTH} levels`);

  const composer = new Composer({ uniqueKeys: true, prettyErrors: false });
  const docs = Array.from(composer.compose(tokens, true, text.length));
  const documents: YamlDocument[] = [];
  docs.forEach((doc, index) => {
    const report = (code: IssueCode, offset: number, message: string): void => {
      const pos = at(offset);
      issues.push({ code, severity: 'error', file, line: pos.line, column: pos.column, document: index, field: '', message });
    };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) report(e.code === 'DUPLICATE_KEY' ? 'DuplicateKey' : 'YamlSyntax', e.pos[0], plainMessage(e.message));
      return;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    const start = at(doc.contents.range?.[0] ?? 0);
    const locator = new Locator(start);
    try {
      const value = new Converter(doc, locator, at).convert(doc.contents, [], 0, undefined);
      documents.push({ index, start, value, locator });
    } catch (err) {
      if (!(err instanceof DocumentRefused)) throw err;
      report(err.code, err.offset, err.message);
    }
  });
  return { documents, issues, documentCount: docs.length };
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

// The yaml package appends " at line N, column M" (and a code excerpt); the
// location is reported separately.
function plainMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
}

/** Walks the token tree without recursion: the composer recurses, so it must not see deep input. */
function findTooDeep(tokens: CST.Token[]): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document') {
      if (token.value !== undefined) stack.push({ token: token.value, depth });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (depth + 1 > MAX_DEPTH) return token.offset;
    for (const item of token.items) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

class Converter {
  private aliases = 0;
  private nodes = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly locator: Locator,
    private readonly at: (offset: number) => Position,
  ) {}

  convert(node: unknown, path: Segment[], depth: number, key: Position | undefined): unknown {
    const offset = rangeStart(node);
    if (++this.nodes > MAX_NODES) {
      throw new DocumentRefused('TooManyAliases', offset, `aliases expand to more than ${MAX_NODES} nodes`);
    }
    if (isAlias(node)) {
      if (++this.aliases > MAX_ALIASES) {
        throw new DocumentRefused('TooManyAliases', offset, `more than ${MAX_ALIASES} alias resolutions`);
      }
      const target = node.resolve(this.doc);
      if (target === undefined) throw new DocumentRefused('YamlSyntax', offset, `unresolved alias *${node.source}`);
      this.locator.record(path, this.at(offset), key);
      return this.convert(target, path, depth, key);
    }
    this.locator.record(path, this.at(offset), key);
    if (isScalar(node)) return node.value;
    if (node === null || node === undefined) return null;
    if (depth + 1 > MAX_DEPTH) throw new DocumentRefused('TooDeep', offset, `nesting is deeper than ${MAX_DEPTH} levels`);
    if (isSeq(node)) {
      return node.items.map((item, i) => this.convert(item, [...path, i], depth + 1, undefined));
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        const keyOffset = rangeStart(k);
        if (!isScalar(k) || typeof k.value !== 'string') {
          const shown = isScalar(k) ? String(k.value) : 'a collection';
          throw new DocumentRefused('NonStringKey', keyOffset, `map keys must be strings, found ${shown}`);
        }
        if (k.value === '__proto__') {
          throw new DocumentRefused('UnsafeKey', keyOffset, 'the key "__proto__" is not allowed');
        }
        out[k.value] = this.convert(pair.value, [...path, k.value], depth + 1, this.at(keyOffset));
      }
      return out;
    }
    throw new DocumentRefused('YamlSyntax', offset, 'unsupported YAML node');
  }
}

function rangeStart(node: unknown): number {
  const range = (node as YamlNode | null)?.range;
  return range?.[0] ?? 0;
}
