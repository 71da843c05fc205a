// A JSON value as YAML, for showing a spec read-only (no anchors, no flow style).

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(v) {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function isEmpty(v) {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

export function toYaml(v, indent = '') {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return v
      .map((item) => {
        if (typeof item === 'object' && item !== null && !isEmpty(item)) {
          const body = toYaml(item, indent + '  ');
          return `${indent}- ${body.slice(indent.length + 2)}`;
        }
        return `${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`;
      })
      .join('\n');
  }
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    return keys
      .map((k) => {
        const val = v[k];
        const key = scalar(k);
        if (typeof val === 'object' && val !== null && !isEmpty(val)) {
          return Array.isArray(val) ? `${indent}${key}:\n${toYaml(val, indent)}` : `${indent}${key}:\n${toYaml(val, indent + '  ')}`;
        }
        return `${indent}${key}: ${isEmpty(val) ? (Array.isArray(val) ? '[]' : '{}') : scalar(val)}`;
      })
      .join('\n');
  }
  return indent + scalar(v);
}
