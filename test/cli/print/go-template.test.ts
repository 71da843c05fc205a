import { describe, expect, it } from 'vitest';
import { executeGoTemplate } from '../../../src/cli/print/go-template.js';
import { GitjobsError } from '../../../src/errors.js';

const list = {
  items: [
    { metadata: { name: 'pi-5rwd7', labels: { 'job-name': 'pi' } }, status: { phase: 'Succeeded', restarts: 0 } },
    { metadata: { name: 'pi-x7k2p', labels: {} }, status: { phase: 'Running', restarts: 2 } },
  ],
};

describe('executeGoTemplate', () => {
  it.each([
    ['a field', '{{(index .items 0).metadata.name}}', 'pi-5rwd7'],
    ['range with a newline literal', '{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}', 'pi-5rwd7\npi-x7k2p\n'],
    ['index with a dashed key', '{{range .items}}[{{index .metadata.labels "job-name"}}]{{end}}', '[pi][<no value>]'],
    ['missing keys print <no value>', '{{range .items}}{{.spec}} {{end}}', '<no value> <no value> '],
    ['if with eq', '{{range .items}}{{if eq .status.phase "Running"}}{{.metadata.name}}{{end}}{{end}}', 'pi-x7k2p'],
    ['if/else on numbers', '{{range .items}}{{if .status.restarts}}R{{else}}-{{end}}{{end}}', '-R'],
    ['maps print in Go syntax', '{{(index .items 0).metadata.labels}}', 'map[job-name:pi]'],
    ['len', '{{len .items}}', '2'],
    ['trim markers', '{{range .items -}}\n  {{.metadata.name}}\n{{- end}}', 'pi-5rwd7pi-x7k2p'],
  ])('%s', (_name, template, expected) => {
    expect(executeGoTemplate(template, list)).toBe(expected);
  });

  it('fails on missing keys when they are not allowed', () => {
    expect(() => executeGoTemplate('{{.nope}}', list, { allowMissingKeys: false })).toThrowError(
      'error executing template: map has no entry for key "nope"',
    );
  });

  it('rejects an unclosed range as a usage error', () => {
    try {
      executeGoTemplate('{{range .items}}x', list);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GitjobsError);
      expect((err as GitjobsError).code).toBe('Usage');
    }
  });
});
