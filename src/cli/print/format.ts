// `-o json` and `-o yaml` renderings of the objects built in objects.ts.

import { createRequire } from 'node:module';
import type { Document as YamlDocument } from 'yaml';
import { goJson } from './gojson.js';

// Loading the yaml package costs about half of Node's own start-up; only -o yaml needs it.
const require = createRequire(import.meta.url);
let yamlDocument: typeof YamlDocument | undefined;
function Doc(): typeof YamlDocument {
  yamlDocument ??= (require('yaml') as typeof import('yaml')).Document;
  return yamlDocument;
}

/** kubectl's JSON printer: 4-space MarshalIndent, sorted keys, trailing newline. */
export function formatJson(obj: unknown): string {
  return goJson(obj, '    ') + '\n';
}

/**
 * kubectl's YAML printer goes through JSON maps and go-yaml, so keys are sorted,
 * sequences sit flush under their key, and any string a YAML 1.1 reader would
 * take for something else (`"True"`, `"0"`, timestamps, `"on"`) is quoted.
 */
export function formatYaml(obj: unknown): string {
  const doc = new (Doc())(dropUndefined(obj), { version: '1.1', sortMapEntries: true });
  return doc.toString({ indentSeq: false, lineWidth: 80 });
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropUndefined(x);
    return out;
  }
  return v;
}
