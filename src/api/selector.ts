// Label selectors with the grammar and semantics of apimachinery's `labels`
// package: what `kubectl get -l` accepts, and how selectors are printed back.

import { GitjobsError } from '../errors.js';
import type { LabelSelector } from './types.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  /** Sorted and de-duplicated for parsed selectors, as Kubernetes keeps them. */
  values: string[];
}

export interface Selector {
  matches(labels: Record<string, string>): boolean;
  toString(): string;
  requirements: Requirement[];
}

// Validation (IsQualifiedName / IsValidLabelValue), so that a selector which the
// API server would reject is rejected here with the same words.
// Kubernetes' own syntax checks, shared with manifest validation.
export { qualifiedName as qualifiedNameErrors, labelValue as labelValueErrors } from './names.js';
import { qualifiedName as qualifiedNameErrors, labelValue as labelValueErrors } from './names.js';

function invalid(field: string, value: string, detail: string): string {
  return `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/** NewRequirement: validates and builds one requirement; throws a plain Error with Kubernetes' text. */
function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) errs.push(invalid('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: [${values.map((v) => JSON.stringify(v)).join(' ')}]: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: [${values.map((v) => JSON.stringify(v)).join(' ')}]: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: [${values.map((v) => JSON.stringify(v)).join(' ')}]: for 'Gt', 'Lt' operators, exactly one value is required`);
      for (const [i, v] of values.entries()) {
        if (!/^[-+]?[0-9]+$/.test(v)) errs.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      break;
  }
  if (operator !== 'gt' && operator !== 'lt') {
    for (const [i, v] of values.entries()) {
      const vErrs = labelValueErrors(v);
      if (vErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, vErrs.join('; ')));
    }
  }
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(', ')}]`);
  return { key, operator, values };
}

// ---------------------------------------------------------------------------
// Matching and printing.

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (value === undefined || !/^[-+]?[0-9]+$/.test(value)) return false;
      const target = r.values[0];
      if (target === undefined) return false;
      const lhs = BigInt(value);
      const rhs = BigInt(target);
      return r.operator === 'gt' ? lhs > rhs : lhs < rhs;
    }
  }
}

/**
 * `metav1.LabelSelectorAsSelector(s).Matches(labels)` for a selector already
 * validated (a manifest's): the one matcher, without re-checking its syntax.
 */
export function labelSelectorMatches(ls: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, v] of Object.entries(ls.matchLabels ?? {})) if (!requirementMatches({ key, operator: '=', values: [v] }, labels)) return false;
  for (const e of ls.matchExpressions ?? []) {
    const operator: Operator = e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : '!';
    if (!requirementMatches({ key: e.key, operator, values: e.values ?? [] }, labels)) return false;
  }
  return true;
}

export function requirementToString(r: Requirement): string {
  const prefix = r.operator === '!' ? '!' : '';
  // Values print sorted without reordering the requirement itself.
  const values = r.values.length > 1 ? [...r.values].sort(compareStrings).join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case 'exists':
    case '!':
      return `${prefix}${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function makeSelector(requirements: Requirement[]): Selector {
  // Kubernetes keeps requirements ordered by key; the sort is stable so that
  // several requirements on one key keep the order they were written in.
  const sorted = requirements
    .map((r, i) => ({ r, i }))
    .sort((a, b) => compareStrings(a.r.key, b.r.key) || a.i - b.i)
    .map((x) => x.r);
  return {
    requirements: sorted,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels)),
    toString: () => sorted.map(requirementToString).join(','),
  };
}

// ---------------------------------------------------------------------------
// Lexer and parser for the `-l` syntax.

type Tok =
  | 'ident'
  | 'eos'
  | '!'
  | '!='
  | '('
  | ')'
  | ','
  | '='
  | '=='
  | '>'
  | '<'
  | 'in'
  | 'notin';

interface Scanned {
  tok: Tok;
  lit: string;
}

const SYMBOL_TOKENS: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  '<': '<',
  '!=': '!=',
  '(': '(',
};

const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);
const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

function lex(input: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos] ?? '')) pos++;
    if (pos >= input.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    const ch = input[pos] ?? '';
    if (isSpecial(ch)) {
      // Longest run of symbol characters that still forms a token; every single
      // symbol character is a token, so this always yields one.
      let buffer = ch;
      let last: Scanned = { tok: SYMBOL_TOKENS[ch] ?? ',', lit: ch };
      pos++;
      while (pos < input.length && isSpecial(input[pos] ?? '')) {
        const tok = SYMBOL_TOKENS[buffer + (input[pos] ?? '')];
        if (tok === undefined) break;
        buffer += input[pos];
        last = { tok, lit: buffer };
        pos++;
      }
      out.push(last);
      continue;
    }
    let word = '';
    while (pos < input.length && !isWhitespace(input[pos] ?? '') && !isSpecial(input[pos] ?? '')) {
      word += input[pos];
      pos++;
    }
    out.push({ tok: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'ident', lit: word });
  }
}

type Context = 'keyAndOperator' | 'values';

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class Parser {
  private pos = 0;
  constructor(private readonly items: Scanned[]) {}

  private at(i: number, ctx: Context): Scanned {
    const item = this.items[Math.min(i, this.items.length - 1)] ?? { tok: 'eos', lit: '' };
    // Inside values (and for keys) `in`/`notin` are ordinary words.
    if (ctx === 'values' && (item.tok === 'in' || item.tok === 'notin')) return { tok: 'ident', lit: item.lit };
    return item;
  }

  lookahead(ctx: Context): Scanned {
    return this.at(this.pos, ctx);
  }

  consume(ctx: Context): Scanned {
    const item = this.at(this.pos, ctx);
    this.pos++;
    return item;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'ident' || tok === '!') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (err) {
          throw new Error(`unable to parse requirement: ${(err as Error).message}`);
        }
        reqs.push(r);
        const next = this.consume('values');
        if (next.tok === 'eos') return reqs;
        if (next.tok === ',') {
          const after = this.lookahead('values');
          if (after.tok !== 'ident' && after.tok !== '!') {
            throw new Error(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        throw new Error(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'eos') return reqs;
      throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): Requirement {
    let operator: Operator | undefined;
    let { tok, lit } = this.consume('values');
    if (tok === '!') {
      operator = '!';
      ({ tok, lit } = this.consume('values'));
    }
    if (tok !== 'ident') throw new Error(`found '${lit}', expected: identifier`);
    const key = lit;
    const keyErrs = qualifiedNameErrors(key);
    if (keyErrs.length > 0) throw new Error(invalid('key', key, keyErrs.join('; ')));
    const next = this.lookahead('values').tok;
    if (next === 'eos' || next === ',') {
      operator ??= 'exists';
    }
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);

    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort(compareStrings));
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
        return 'in';
      case 'notin':
        return 'notin';
      case '=':
        return '=';
      case '==':
        return '==';
      case '!=':
        return '!=';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new Error(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'ident' || tok === ',') {
      const set = this.parseIdentifiersList();
      const close = this.consume('values');
      if (close.tok !== ')') throw new Error(`found '${lit}', expected: ')'`);
      return set;
    }
    if (tok === ')') {
      this.consume('values');
      return new Set(['']);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'ident') {
        set.add(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return set;
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (set.size === 0) set.add('');
        const next = this.lookahead('values');
        if (next.tok === ')') {
          set.add('');
          return set;
        }
        if (next.tok === ',') {
          this.consume('values');
          set.add('');
        }
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead('values');
    if (next.tok === 'eos' || next.tok === ',') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'ident') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/** Parses a `kubectl -l` selector. An empty string selects everything. */
export function parseSelector(s: string): Selector {
  try {
    return makeSelector(new Parser(lex(s)).parse());
  } catch (err) {
    throw new GitjobsError('Usage', (err as Error).message, { cause: err });
  }
}

/** LabelSelectorAsSelector: matchLabels become `=` requirements, expressions keep their operator. */
export function selectorFromLabelSelector(ls: LabelSelector): Selector {
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
    for (const expr of ls.matchExpressions ?? []) {
      const values = [...(expr.values ?? [])];
      switch (expr.operator) {
        case 'In':
          reqs.push(newRequirement(expr.key, 'in', values));
          break;
        case 'NotIn':
          reqs.push(newRequirement(expr.key, 'notin', values));
          break;
        case 'Exists':
          reqs.push(newRequirement(expr.key, 'exists', values));
          break;
        case 'DoesNotExist':
          reqs.push(newRequirement(expr.key, '!', values));
          break;
        default:
          throw new Error(`${String((expr as { operator: unknown }).operator)} is not a valid label selector operator`);
      }
    }
  } catch (err) {
    throw new GitjobsError('Invalid', (err as Error).message, { cause: err });
  }
  return makeSelector(reqs);
}

/** metav1.FormatLabelSelector: the selector's string form, `<none>` when it selects everything. */
export function formatLabelSelector(ls: LabelSelector | undefined): string {
  if (ls === undefined) return '<none>';
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}
