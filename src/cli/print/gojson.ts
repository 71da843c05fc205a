// JSON as Go's encoding/json writes it for the unstructured objects kubectl
// prints: map keys sorted, `<`, `>` and `&` escaped as \u003c etc., and
// MarshalIndent's layout for `-o json`.

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys in Go's order for map[string]interface{}: byte-wise ascending. */
export function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** json.Marshal (indent '') or json.MarshalIndent(v, '', indent). Undefined fields are dropped. */
export function goJson(value: unknown, indent = ''): string {
  const nl = indent === '' ? '' : '\n';
  const sep = indent === '' ? ':' : ': ';
  const write = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return goQuote(v);
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'bigint') return v.toString();
    const inner = indent.repeat(depth + 1);
    const outer = indent.repeat(depth);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${nl}${v.map((x) => inner + write(x, depth + 1)).join(',' + nl)}${nl}${outer}]`;
    }
    if (isPlainObject(v)) {
      const keys = sortedKeys(v);
      if (keys.length === 0) return '{}';
      return `{${nl}${keys.map((k) => `${inner}${goQuote(k)}${sep}${write(v[k], depth + 1)}`).join(',' + nl)}${nl}${outer}}`;
    }
    return goQuote(String(v));
  };
  return write(value, 0);
}
