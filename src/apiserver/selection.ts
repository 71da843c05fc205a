import { parseSelector, type Selector } from '../api/selector.js';
import { GitjobsError } from '../errors.js';
import type { AnyResource } from './registry.js';

// labelSelector and fieldSelector of a list or watch, parsed once.

export interface Selection {
  labels: Selector | undefined;
  fields: ((item: unknown) => boolean) | undefined;
}

export function selectionOf(r: AnyResource, q: URLSearchParams): Selection {
  const l = q.get('labelSelector');
  const f = q.get('fieldSelector');
  return { labels: l === null || l === '' ? undefined : parseSelector(l), fields: f === null || f === '' ? undefined : parseFieldSelector(r, f) };
}

export function selects(r: AnyResource, s: Selection, item: unknown): boolean {
  return (s.labels === undefined || s.labels.matches(r.key(item).labels)) && (s.fields === undefined || s.fields(item));
}

/** `a=b,c!=d` over the fields the resource allows; any other field is a BadRequest, as on a cluster. */
export function parseFieldSelector(r: AnyResource, text: string): (item: unknown) => boolean {
  const tests: ((item: unknown) => boolean)[] = [];
  for (const term of text.split(',')) {
    if (term.trim() === '') continue;
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (m === null) throw new GitjobsError('Usage', `invalid selector: '${text}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = r.fields[field];
    if (get === undefined) {
      throw new GitjobsError('Usage', `field label not supported: ${field}`);
    }
    tests.push(op === '!=' ? (i) => get(i) !== value : (i) => get(i) === value);
  }
  return (i) => tests.every((t) => t(i));
}
