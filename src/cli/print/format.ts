// `-o json` and `-o yaml` renderings of the objects built in objects.ts.

import { Document } from 'yaml';
import { goJson } from './gojson.js';

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
  const doc = new Document(dropUndefined(obj), { version: '1.1', sortMapEntries: true });
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
