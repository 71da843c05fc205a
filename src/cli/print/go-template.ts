// A subset of Go's text/template for `-o go-template=`: field chains, `range`,
// `if`/`else`, `with`, `end`, string literals, and the `index`, `len`, `eq`,
// `ne` functions — what kubectl users write in practice.

import { GitjobsError } from '../../errors.js';
import { goSprint, isMap } from './go-value.js';
import { unquoteExtend } from './jsonpath-parse.js';

type Operand =
  | { kind: 'dot' }
  | { kind: 'fields'; base: 'dot' | 'root'; path: string[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'paren'; cmd: Command; path: string[] };

interface Command {
  fn?: string;
  args: Operand[];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; cmd: Command }
  | { kind: 'range' | 'if' | 'with'; cmd: Command; body: Node[]; elseBody: Node[] };

const FUNCTIONS = new Set(['index', 'len', 'eq', 'ne', 'not', 'and', 'or']);

function usage(message: string): GitjobsError {
  return new GitjobsError('Usage', `error parsing template ${message}`);
}

function tokenize(action: string): string[] {
  const tokens: string[] = [];
  // `)` keeps a field chain glued to it: `(index .items 0).metadata.name`.
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)(?:\.[^\s()"`]*)?|[^\s()"`]+)/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(action)) !== null) {
    tokens.push(m[1] ?? '');
    last = re.lastIndex;
  }
  if (action.slice(last).trim() !== '') throw usage(`unexpected "${action.slice(last).trim()}" in command`);
  return tokens;
}

function parseOperand(tokens: string[], pos: { i: number }): Operand {
  const t = tokens[pos.i++];
  if (t === undefined) throw usage('missing value for command');
  if (t === '(') {
    const cmd = parseCommand(tokens, pos, ')');
    const close = tokens[pos.i++];
    if (close === undefined || !close.startsWith(')')) throw usage('unclosed left paren');
    return { kind: 'paren', cmd, path: close.slice(1).split('.').filter((p) => p !== '') };
  }
  if (t === '.') return { kind: 'dot' };
  if (t.startsWith('"')) {
    try {
      return { kind: 'string', value: unquoteExtend(t) };
    } catch {
      throw usage(`invalid string ${t}`);
    }
  }
  if (t.startsWith('`')) return { kind: 'string', value: t.slice(1, -1) };
  if (t === 'true' || t === 'false') return { kind: 'bool', value: t === 'true' };
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(t)) return { kind: 'number', value: Number(t) };
  if (t.startsWith('.') || t.startsWith('$')) {
    const base = t.startsWith('$') ? 'root' : 'dot';
    const path = (base === 'root' ? t.slice(1) : t).split('.').filter((p) => p !== '');
    return { kind: 'fields', base, path };
  }
  throw usage(`function "${t}" not defined`);
}

function parseCommand(tokens: string[], pos: { i: number }, stop?: string): Command {
  const first = tokens[pos.i];
  const cmd: Command = { args: [] };
  if (first !== undefined && FUNCTIONS.has(first)) {
    cmd.fn = first;
    pos.i++;
  }
  while (pos.i < tokens.length && !(stop !== undefined && tokens[pos.i]?.startsWith(stop) === true)) {
    cmd.args.push(parseOperand(tokens, pos));
  }
  if (cmd.fn === undefined && cmd.args.length !== 1) throw usage('missing value for command');
  return cmd;
}

function parseTemplate(src: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'range' | 'if' | 'with' }>; inElse: boolean }[] = [];
  const target = (): Node[] => {
    const top = stack[stack.length - 1];
    return top === undefined ? root : top.inElse ? top.node.elseBody : top.node.body;
  };
  let pos = 0;
  let text = '';
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open === -1) {
      text += src.slice(pos);
      break;
    }
    text += src.slice(pos, open);
    const close = src.indexOf('}}', open + 2);
    if (close === -1) throw usage('unclosed action');
    let inner = src.slice(open + 2, close);
    // `{{-` and `-}}` trim the whitespace around the action.
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    let trimAfter = false;
    if (/\s-$/.test(inner)) {
      trimAfter = true;
      inner = inner.slice(0, -1);
    }
    if (text !== '') target().push({ kind: 'text', text });
    text = '';
    pos = close + 2;
    if (trimAfter) while (pos < src.length && /\s/.test(src[pos] ?? '')) pos++;

    const action = inner.trim();
    if (action.startsWith('/*')) continue;
    const tokens = tokenize(action);
    const keyword = tokens[0];
    if (keyword === 'end') {
      if (stack.pop() === undefined) throw usage('unexpected {{end}}');
    } else if (keyword === 'else') {
      const top = stack[stack.length - 1];
      if (top === undefined || top.inElse) throw usage('unexpected {{else}}');
      top.inElse = true;
    } else if (keyword === 'range' || keyword === 'if' || keyword === 'with') {
      const node = { kind: keyword, cmd: parseCommand(tokens, { i: 1 }), body: [], elseBody: [] } as Extract<
        Node,
        { kind: 'range' | 'if' | 'with' }
      >;
      target().push(node);
      stack.push({ node, inElse: false });
    } else {
      const p = { i: 0 };
      const cmd = parseCommand(tokens, p);
      if (p.i !== tokens.length) throw usage(`unexpected "${tokens[p.i] ?? ''}" in command`);
      target().push({ kind: 'print', cmd });
    }
  }
  if (text !== '') target().push({ kind: 'text', text });
  if (stack.length > 0) throw usage('unexpected EOF');
  return root;
}

/** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function execError(message: string): GitjobsError {
  return new GitjobsError('Invalid', `error executing template: ${message}`);
}

function evalOperand(op: Operand, dot: unknown, root: unknown, missingIsError: boolean): unknown {
  switch (op.kind) {
    case 'dot':
      return dot;
    case 'string':
    case 'number':
    case 'bool':
      return op.value;
    case 'paren':
      return walkFields(evalCommand(op.cmd, dot, root, missingIsError), op.path, missingIsError);
    case 'fields':
      return walkFields(op.base === 'root' ? root : dot, op.path, missingIsError);
  }
}

function walkFields(start: unknown, path: string[], missingIsError: boolean): unknown {
  let cur: unknown = start;
  for (const name of path) {
    if (cur === undefined || cur === null) throw execError(`nil pointer evaluating interface {}.${name}`);
    if (!isMap(cur)) throw execError(`can't evaluate field ${name} in type ${Array.isArray(cur) ? '[]interface {}' : typeof cur}`);
    if (!Object.prototype.hasOwnProperty.call(cur, name)) {
      if (missingIsError) throw execError(`map has no entry for key "${name}"`);
      return undefined;
    }
    cur = cur[name];
  }
  return cur;
}

function evalCommand(cmd: Command, dot: unknown, root: unknown, missingIsError: boolean): unknown {
  const args = cmd.args.map((a) => evalOperand(a, dot, root, missingIsError));
  switch (cmd.fn) {
    case undefined:
      return args[0];
    case 'index': {
      let cur = args[0];
      for (const key of args.slice(1)) {
        if (Array.isArray(cur) && typeof key === 'number') {
          if (key < 0 || key >= cur.length) throw execError(`error calling index: index out of range: ${key}`);
          cur = cur[key];
        } else if (isMap(cur) && typeof key === 'string') cur = cur[key];
        else if (cur === undefined || cur === null) throw execError('error calling index: index of untyped nil');
        else throw execError(`error calling index: cannot index ${goSprint(cur)} with ${goSprint(key)}`);
      }
      return cur;
    }
    case 'len': {
      const v = args[0];
      if (typeof v === 'string') return Buffer.byteLength(v);
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw execError(`error calling len: len of type ${typeof v}`);
    }
    case 'eq':
      return args.slice(1).some((a) => a === args[0]);
    case 'ne':
      return args[0] !== args[1];
    case 'not':
      return !truth(args[0]);
    case 'and':
      return args.find((a) => !truth(a)) ?? args[args.length - 1];
    case 'or':
      return args.find((a) => truth(a)) ?? args[args.length - 1];
    default:
      throw execError(`function "${cmd.fn}" not defined`);
  }
}

function render(nodes: Node[], dot: unknown, root: unknown, missingIsError: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'print') {
      const v = evalCommand(n.cmd, dot, root, missingIsError);
      out += v === undefined || v === null ? '<no value>' : goSprint(v);
    } else {
      const v = evalCommand(n.cmd, dot, root, missingIsError);
      if (n.kind === 'if') out += render(truth(v) ? n.body : n.elseBody, dot, root, missingIsError);
      else if (n.kind === 'with') out += truth(v) ? render(n.body, v, root, missingIsError) : render(n.elseBody, dot, root, missingIsError);
      else {
        const items = Array.isArray(v)
          ? v
          : isMap(v)
            ? Object.keys(v)
                .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
                .map((k) => v[k])
            : [];
        if (v !== undefined && v !== null && !Array.isArray(v) && !isMap(v)) throw execError(`range can't iterate over ${goSprint(v)}`);
        out += items.length === 0 ? render(n.elseBody, dot, root, missingIsError) : items.map((it) => render(n.body, it, root, missingIsError)).join('');
      }
    }
  }
  return out;
}

export interface GoTemplateOptions {
  /** kubectl's --allow-missing-template-keys (true by default: missing keys print `<no value>`). */
  allowMissingKeys?: boolean;
}

/** `-o go-template=<template>` applied to one decoded object. */
export function executeGoTemplate(template: string, data: unknown, opts: GoTemplateOptions = {}): string {
  const nodes = parseTemplate(template);
  return render(nodes, data, data, opts.allowMissingKeys === false);
}
