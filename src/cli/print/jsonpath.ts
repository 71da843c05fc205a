// Evaluation of kubectl's JSONPath templates over a decoded JSON object, with
// client-go's output rules: results of one action joined by a space, strings
// raw, maps and lists as compact JSON, and missing keys silently empty unless
// --allow-missing-template-keys=false.

import { GitjobsError } from '../../errors.js';
import { goJson } from './gojson.js';
import { goSprint, goTypeName, isMap } from './go-value.js';
import { parseJsonPath, type JsonPathNode, type ListNode, type Template } from './jsonpath-parse.js';

export { parseJsonPath, type Template } from './jsonpath-parse.js';

export interface JsonPathOptions {
  /** kubectl's --allow-missing-template-keys, true by default. */
  allowMissingKeys?: boolean;
}

const isNil = (v: unknown): boolean => v === null || v === undefined;

class Evaluator {
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode: JsonPathNode | undefined;

  constructor(private readonly allowMissingKeys: boolean) {}

  findResults(data: unknown, nodes: JsonPathNode[]): unknown[][] {
    const cur = [data];
    const full: unknown[][] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as JsonPathNode;
      const results = this.walk(cur, node);
      // `{end}` closes the innermost range: hand control back to it.
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = node;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        const body = nodes.slice(i + 1);
        if (results.length > 0) {
          for (const value of results) full.push(...this.findResults(value, body));
        } else {
          // Still walk the body once so that its `{end}` is found.
          this.findResults(null, body);
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: unknown[], node: JsonPathNode): unknown[] {
    switch (node.kind) {
      case 'list':
        return this.evalList(input, node);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.name);
      case 'array':
        return this.evalArray(input, node);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
      case 'float':
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return input.flatMap((v) => children(v));
      case 'recursive':
        return this.evalRecursive(input);
      case 'union':
        return node.nodes.flatMap((n) => this.evalList(input, n));
      case 'identifier':
        return this.evalIdentifier(input, node.name);
    }
  }

  private evalList(input: unknown[], node: ListNode): unknown[] {
    let cur = input;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private evalIdentifier(input: unknown[], name: string): unknown[] {
    if (name === 'range') {
      this.beginRange++;
      return input;
    }
    if (name === 'end') {
      if (this.inRange > 0) {
        this.endRange++;
        return [];
      }
      throw new Error('not in range, nothing to end');
    }
    throw new Error(`unrecognized identifier ${name}`);
  }

  private evalField(input: unknown[], name: string): unknown[] {
    if (input.length === 0) return [];
    const results: unknown[] = [];
    for (const v of input) {
      if (isNil(v)) continue;
      if (isMap(v) && Object.prototype.hasOwnProperty.call(v, name)) results.push(v[name]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new Error(`${name} is not found`);
    return results;
  }

  private evalArray(input: unknown[], node: Extract<JsonPathNode, { kind: 'array' }>): unknown[] {
    const result: unknown[] = [];
    for (const value of input) {
      if (isNil(value)) continue;
      if (!Array.isArray(value)) throw new Error(`${goTypeName(value)} is not array or slice`);
      const len = value.length;
      const [p0, p1, p2] = node.params;
      let start = p0.known ? p0.value : 0;
      if (start < 0) start += len;
      let end = p1.known ? p1.value : len;
      if (end < 0 || (end === 0 && p1.derived)) end += len;
      if (end === start) return result;
      if (start >= len || start < 0) throw new Error(`array index out of bounds: index ${start}, length ${len}`);
      if (end > len || end < 0) throw new Error(`array index out of bounds: index ${end - 1}, length ${len}`);
      if (start > end) throw new Error(`starting index ${start} is greater than ending index ${end}`);
      let step = 1;
      if (p2.known) {
        if (p2.value <= 0) throw new Error('step must be > 0');
        step = p2.value;
      }
      for (let i = start; i < end; i += step) result.push(value[i]);
    }
    return result;
  }

  private evalRecursive(input: unknown[]): unknown[] {
    const result: unknown[] = [];
    for (const value of input) {
      if (isNil(value)) continue;
      const kids = children(value);
      // Only values with something inside them are visited, as in client-go.
      if (kids.length !== 0) {
        result.push(value);
        result.push(...this.evalRecursive(kids));
      }
    }
    return result;
  }

  private evalFilter(input: unknown[], node: Extract<JsonPathNode, { kind: 'filter' }>): unknown[] {
    const results: unknown[] = [];
    for (const value of input) {
      if (!Array.isArray(value)) throw new Error(`${goSprint(value)} is not array or slice and cannot be filtered`);
      for (const item of value) {
        let lefts: unknown[];
        try {
          lefts = this.evalList([item], node.left);
        } catch (err) {
          if (node.operator === 'exists') continue;
          throw err;
        }
        if (node.operator === 'exists') {
          if (lefts.length > 0) results.push(item);
          continue;
        }
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new Error('can only compare one element at a time');
        const rights = this.evalList([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new Error('can only compare one element at a time');
        if (compare(lefts[0], rights[0], node.operator)) results.push(item);
      }
    }
    return results;
  }
}

/** The elements of a list, the values of a map (in key order), the characters of a string. */
function children(v: unknown): unknown[] {
  if (isNil(v)) return [];
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => v[k]);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return [];
}

type BasicKind = 'bool' | 'number' | 'string';

function basicKind(v: unknown): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  throw new Error('invalid type for comparison');
}

/** text/template's eq/ne/lt/le/gt/ge on basic values. */
function compare(left: unknown, right: unknown, op: string): boolean {
  const k1 = basicKind(left);
  const k2 = basicKind(right);
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  const a = left as number | string;
  const b = right as number | string;
  switch (op) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    default:
      throw new Error(`unrecognized filter operator ${op}`);
  }
}

/** One result as kubectl prints it: maps and lists as compact JSON, anything else as Go prints it. */
export function printResult(v: unknown): string {
  if (Array.isArray(v) || isMap(v)) return goJson(v);
  return goSprint(v);
}

/** The raw result sets of a template: one array per top-level text or action (per range iteration). */
export function findJsonPathResults(template: Template | string, data: unknown, opts: JsonPathOptions = {}): unknown[][] {
  const t = typeof template === 'string' ? parseJsonPath(template) : template;
  try {
    return new Evaluator(opts.allowMissingKeys ?? true).findResults(data, t.root.nodes);
  } catch (err) {
    if (err instanceof GitjobsError) throw err;
    throw new GitjobsError(
      'Invalid',
      `error executing jsonpath ${JSON.stringify(t.source)}: Error executing template: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** `-o jsonpath=<template>`: the printed text (kubectl adds no trailing newline). */
export function executeJsonPath(template: Template | string, data: unknown, opts: JsonPathOptions = {}): string {
  return findJsonPathResults(template, data, opts)
    .map((results) => results.map(printResult).join(' '))
    .join('');
}
