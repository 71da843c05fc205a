// The parser of kubectl's JSONPath dialect (client-go util/jsonpath): text
// with `{...}` actions; fields, `[i]`, slices, `[*]`, unions, `..`, filters,
// quoted strings, `range`/`end`.

import { GitjobsError } from '../../errors.js';

export interface SliceParam {
  known: boolean;
  value: number;
  /** The end of `[i]`, implied as i+1. */
  derived: boolean;
}

export type JsonPathNode =
  | { kind: 'list'; nodes: JsonPathNode[] }
  | { kind: 'text'; text: string }
  | { kind: 'field'; name: string }
  | { kind: 'array'; params: [SliceParam, SliceParam, SliceParam] }
  | { kind: 'filter'; left: ListNode; right: ListNode; operator: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'union'; nodes: ListNode[] }
  | { kind: 'identifier'; name: string };

export type ListNode = Extract<JsonPathNode, { kind: 'list' }>;

export interface Template {
  source: string;
  root: ListNode;
}

const EOF = '';
const list = (): ListNode => ({ kind: 'list', nodes: [] });

const isSpace = (r: string): boolean => r === ' ' || r === '\t';
const isEndOfLine = (r: string): boolean => r === '\r' || r === '\n';
const isDigit = (r: string): boolean => /^\p{Nd}$/u.test(r);
const isAlphaNumeric = (r: string): boolean => r === '_' || /^[\p{L}\p{Nd}]$/u.test(r);
const isTerminator = (r: string): boolean =>
  isSpace(r) || isEndOfLine(r) || r === EOF || '.,[]$@{}'.includes(r);

/** Go's %#U: `U+0023 '#'`. */
function goRuneDescription(r: string): string {
  const cp = r.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${r}'`;
}

/** strconv.Unquote, extended (as client-go does) to single-quoted strings. */
export function unquoteExtend(s: string): string {
  const quote = s[0];
  if (s.length < 2 || quote !== s[s.length - 1] || (quote !== '"' && quote !== "'")) throw new Error('invalid syntax');
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === quote) throw new Error('invalid syntax');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e === undefined) throw new Error('invalid syntax');
    if (simple[e] !== undefined) out += simple[e];
    else if (e === quote) out += e;
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Error('invalid syntax');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new Error('invalid syntax');
      out += String.fromCodePoint(cp);
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error('invalid syntax');
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw new Error('invalid syntax');
  }
  return out;
}

const SLICE_RE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY_RE = /^'([^']*)'$/;
const FILTER_RE = /^([^!<>=]+)([!<>=~]+)(.+?)$/s;

class Parser {
  private input = '';
  private pos = 0;
  private start = 0;
  private width = 0;
  root: ListNode = list();

  parse(text: string): ListNode {
    this.input = text;
    this.root = list();
    this.pos = 0;
    this.start = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const cp = this.input.codePointAt(this.pos) ?? 0;
    const r = String.fromCodePoint(cp);
    this.width = r.length;
    this.pos += this.width;
    return r;
  }

  private peek(): string {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  // The Go parser recurses once per token; loops here keep deep templates off the stack.
  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.rest().startsWith('{')) {
        if (this.pos > this.start) cur.nodes.push({ kind: 'text', text: this.consumeText() });
        this.pos += 1;
        this.consumeText();
        const node = list();
        cur.nodes.push(node);
        this.parseInsideAction(node);
        // Back in text after the action's closing brace.
        cur = this.root;
        continue;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ kind: 'text', text: this.consumeText() });
  }

  /** Parses one action up to and including its closing `}`. */
  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consumeText();
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new Error('unclosed action');
      if (r === ' ' || r === '@' || r === '$') {
        this.consumeText();
      } else if (r === '[') {
        this.parseArray(cur);
      } else if (r === '"' || r === "'") {
        this.parseQuote(cur, r);
      } else if (r === '.') {
        this.parseField(cur);
      } else if (r === '+' || r === '-' || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else {
        throw new Error(`unrecognized character in action: ${goRuneDescription(r)}`);
      }
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === 'true' || value === 'false') cur.nodes.push({ kind: 'bool', value: value === 'true' });
    else cur.nodes.push({ kind: 'identifier', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes[cur.nodes.length - 1]?.kind === 'recursive') throw new Error('invalid multiple recursive descent');
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ kind: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    let r = this.peek();
    if (r === '+' || r === '-') this.next();
    for (;;) {
      r = this.next();
      if (r !== '.' && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?[0-9]+$/.test(value)) {
      cur.nodes.push({ kind: 'int', value: Number(value) });
      return;
    }
    if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(value)) {
      cur.nodes.push({ kind: 'float', value: Number(value) });
      return;
    }
    throw new Error(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated array');
      if (r === ']') break;
    }
    let text = this.consumeText();
    text = text.slice(1, -1);
    if (text === '*') text = ':';

    const parts = text.split(',');
    if (parts.length > 1) {
      const union = parts.map((p) => parseAction(`[${p.trim()}]`));
      cur.nodes.push({ kind: 'union', nodes: union });
      return;
    }

    const dict = DICT_KEY_RE.exec(text);
    if (dict !== null) {
      for (const node of parseAction(`.${dict[1] ?? ''}`).nodes) cur.nodes.push(node);
      return;
    }

    const m = SLICE_RE.exec(text);
    if (m === null) throw new Error(`invalid array index ${text}`);
    const params: [SliceParam, SliceParam, SliceParam] = [
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      let v = m[i + 1] ?? '';
      const p = params[i as 0 | 1 | 2];
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') {
          p.known = false;
        } else {
          if (!/^-?\d+$/.test(v)) throw new Error(`array index ${v} is not a number`);
          p.known = true;
          p.value = Number(v);
        }
      } else if (i === 1) {
        p.known = true;
        p.value = params[0].value + 1;
        p.derived = true;
      }
    }
    cur.nodes.push({ kind: 'array', params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated filter');
      if (r === '"' || r === "'") {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === ')') {
        // Quotes appear at most once on the right, paired: a `)` inside them is text.
        if (begin === end) break;
      }
    }
    if (this.next() !== ']') throw new Error('unclosed array expect ]');
    let text = this.consumeText();
    text = text.slice(0, -2);
    const m = FILTER_RE.exec(text);
    if (m === null) {
      cur.nodes.push({ kind: 'filter', left: parseAction(text), right: list(), operator: 'exists' });
    } else {
      cur.nodes.push({
        kind: 'filter',
        left: parseAction(m[1] ?? ''),
        right: parseAction(m[3] ?? ''),
        operator: m[2] ?? '',
      });
    }
  }

  private parseQuote(cur: ListNode, end: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === '\n') throw new Error('unterminated quoted string');
      if (r === end && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consumeText();
    let s: string;
    try {
      s = unquoteExtend(value);
    } catch (err) {
      throw new Error(`unquote string ${value} error ${(err as Error).message}`);
    }
    cur.nodes.push({ kind: 'text', text: s });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    for (;;) {
      const r = this.next();
      if (r === '\\') {
        this.next();
      } else if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === '*') cur.nodes.push({ kind: 'wildcard' });
    else cur.nodes.push({ kind: 'field', name: value.replace(/\\/g, '') });
  }
}

/** parseAction: the nodes of one `{...}` given without its braces. */
function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  const first = root.nodes[0];
  return first?.kind === 'list' ? first : list();
}

/** Parses a `-o jsonpath=` template; syntax errors are usage errors worded as kubectl's. */
export function parseJsonPath(template: string): Template {
  try {
    return { source: template, root: new Parser().parse(template) };
  } catch (err) {
    throw new GitjobsError('Usage', `error parsing jsonpath ${template}, ${(err as Error).message}`, { cause: err });
  }
}
