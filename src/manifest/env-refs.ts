// Kubernetes' `$(VAR)` references, shared by the validator (which refuses a
// secret expanded into argv) and the executor (which expands them).

/**
 * Kubernetes' `$(VAR)` expansion: a reference resolves against the variables
 * defined so far; `$$(VAR)` is an escaped literal; an unresolved reference is
 * left as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close !== -1) {
        const name = input.slice(i + 2, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** The names `input` refers to with `$(NAME)`, in order; escaped `$$(NAME)` is not a reference. */
export function varReferences(input: string): string[] {
  const names: string[] = [];
  expandVars(input, (n) => {
    names.push(n);
    return undefined;
  });
  return names;
}
