import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatLabelSelector,
  parseSelector,
  requirementToString,
  selectorFromLabelSelector,
  type Requirement,
} from '../../src/api/selector.js';
import { GitjobsError } from '../../src/errors.js';

const labels = { 'job-name': 'pi', app: 'calc', tier: 'batch', 'batch.kubernetes.io/job-name': 'pi', n: '5' };

describe('parseSelector', () => {
  it.each([
    ['equality', 'job-name=pi', true],
    ['double equality', 'job-name==pi', true],
    ['equality on another value', 'job-name=other', false],
    ['inequality', 'app!=calc', false],
    ['inequality on an absent label', 'missing!=x', true],
    ['set membership', 'tier in (batch, web)', true],
    ['set exclusion', 'tier notin (batch)', false],
    ['set exclusion on an absent label', 'missing notin (batch)', true],
    ['existence', 'app', true],
    ['non-existence', '!app', false],
    ['non-existence of an absent label', '!missing', true],
    ['conjunction', 'job-name=pi,app=calc', true],
    ['conjunction with a failing part', 'job-name=pi,app=other', false],
    ['prefixed keys', 'batch.kubernetes.io/job-name=pi', true],
    ['greater than', 'n>3', true],
    ['less than', 'n<3', false],
    ['empty selects everything', '', true],
    ['empty value', 'app=', false],
  ])('%s: %s', (_name, selector, expected) => {
    expect(parseSelector(selector).matches(labels)).toBe(expected);
  });

  it.each([
    ['job-name=pi', 'job-name=pi'],
    ['tier in (web,batch),app', 'app,tier in (batch,web)'],
    ['  b = 1 , a != 2 ', 'a!=2,b=1'],
    ['!x,y notin (z)', '!x,y notin (z)'],
    ['k==v', 'k==v'],
  ])('prints %j as %j, sorted by key', (input, expected) => {
    expect(parseSelector(input).toString()).toBe(expected);
  });

  it.each([
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a,', "found '', expected: identifier after ','"],
    ['=b', "found '=', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b!c', "found '!', expected: ',' or 'end of string'"],
    [
      'a=b$',
      'unable to parse requirement: values[0][a]: Invalid value: "b$": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
    ],
    [
      '-a=b',
      'unable to parse requirement: key: Invalid value: "-a": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ],
  ])('rejects %j', (input, message) => {
    try {
      parseSelector(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GitjobsError);
      expect((err as GitjobsError).code).toBe('Usage');
      expect((err as GitjobsError).message).toBe(message);
    }
  });
});

describe('selectorFromLabelSelector and formatLabelSelector', () => {
  it('prints the generated Job selector as kubectl does', () => {
    expect(formatLabelSelector({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } })).toBe('batch.kubernetes.io/controller-uid=abc');
  });

  it('combines matchLabels and matchExpressions, sorted by key', () => {
    const ls = {
      matchLabels: { tier: 'batch' },
      matchExpressions: [
        { key: 'app', operator: 'In' as const, values: ['web', 'calc'] },
        { key: 'env', operator: 'DoesNotExist' as const },
        { key: 'zone', operator: 'NotIn' as const, values: ['a'] },
        { key: 'job-name', operator: 'Exists' as const },
      ],
    };
    expect(formatLabelSelector(ls)).toBe('app in (calc,web),!env,job-name,tier=batch,zone notin (a)');
    expect(selectorFromLabelSelector(ls).matches(labels)).toBe(true);
    expect(selectorFromLabelSelector(ls).matches({ ...labels, env: 'prod' })).toBe(false);
  });

  it('prints <none> for a selector that selects everything', () => {
    expect(formatLabelSelector({})).toBe('<none>');
  });
});

// A straightforward model of Kubernetes' requirement semantics.
function reference(r: Requirement, l: Record<string, string>): boolean {
  const v = l[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return v !== undefined && r.values.includes(v);
    case '!=':
    case 'notin':
      return v === undefined || !r.values.includes(v);
    case 'exists':
      return v !== undefined;
    case '!':
      return v === undefined;
    default:
      return false;
  }
}

describe('selector properties', () => {
  const keyArb = fc.constantFrom('a', 'b', 'job-name', 'batch.kubernetes.io/job-name', 'x_y.z');
  const valueArb = fc.constantFrom('', 'pi', 'v1', 'calc', 'a-b_c.d');
  const reqArb: fc.Arbitrary<Requirement> = fc.oneof(
    fc.record({ key: keyArb, operator: fc.constantFrom('=' as const, '==' as const, '!=' as const), values: fc.tuple(valueArb) }),
    fc.record({
      key: keyArb,
      operator: fc.constantFrom('in' as const, 'notin' as const),
      values: fc.uniqueArray(valueArb, { minLength: 1, maxLength: 3 }).map((v) => [...v].sort()),
    }),
    fc.record({ key: keyArb, operator: fc.constantFrom('exists' as const, '!' as const), values: fc.constant([] as string[]) }),
  );
  const labelsArb = fc.dictionary(keyArb, valueArb);

  it('parsing the printed form of requirements gives back the same requirements', () => {
    fc.assert(
      fc.property(fc.array(reqArb, { minLength: 1, maxLength: 4 }), (reqs) => {
        const text = reqs.map(requirementToString).join(',');
        const parsed = parseSelector(text);
        const sortedReqs = [...reqs].map((r, i) => ({ r, i })).sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i)).map((x) => x.r);
        expect(parsed.requirements).toEqual(sortedReqs);
        expect(parseSelector(parsed.toString()).toString()).toBe(parsed.toString());
      }),
    );
  });

  it('matches agrees with the reference semantics on random label sets', () => {
    fc.assert(
      fc.property(fc.array(reqArb, { maxLength: 4 }), labelsArb, (reqs, l) => {
        const selector = parseSelector(reqs.map(requirementToString).join(','));
        expect(selector.matches(l)).toBe(reqs.every((r) => reference(r, l)));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a usage error on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        try {
          parseSelector(s);
        } catch (err) {
          expect(err).toBeInstanceOf(GitjobsError);
          expect((err as GitjobsError).code).toBe('Usage');
        }
      }),
      { numRuns: 500 },
    );
  });
});
