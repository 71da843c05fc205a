// Field paths rendered the way Kubernetes' field.Path prints them: `a.b[0][key]`.

export type Segment = string | number;

export class FieldPath {
  private constructor(
    readonly segments: readonly Segment[],
    private readonly rendered: string,
  ) {}

  static readonly root = new FieldPath([], '');

  static of(...names: string[]): FieldPath {
    return names.reduce((p, n) => p.child(n), FieldPath.root);
  }

  /** A struct field: `.name`. */
  child(name: string): FieldPath {
    return new FieldPath([...this.segments, name], this.rendered === '' ? name : `${this.rendered}.${name}`);
  }

  /** A list element: `[3]`. */
  index(i: number): FieldPath {
    return new FieldPath([...this.segments, i], `${this.rendered}[${i}]`);
  }

  /** A map entry: `[key]`. Located like a field, printed like Kubernetes prints map keys. */
  key(k: string): FieldPath {
    return new FieldPath([...this.segments, k], `${this.rendered}[${k}]`);
  }

  /** This path below `prefix`: `spec` under `spec.jobTemplate` is `spec.jobTemplate.spec`. */
  under(prefix: FieldPath): FieldPath {
    if (prefix.rendered === '') return this;
    const rendered = this.rendered === '' ? prefix.rendered : this.rendered.startsWith('[') ? prefix.rendered + this.rendered : `${prefix.rendered}.${this.rendered}`;
    return new FieldPath([...prefix.segments, ...this.segments], rendered);
  }

  /** True when `this` is `other` or lies below it. */
  within(other: FieldPath): boolean {
    if (other.segments.length > this.segments.length) return false;
    return other.segments.every((s, i) => s === this.segments[i]);
  }

  toString(): string {
    return this.rendered;
  }
}

/** A map key for segment lists; numbers and strings never collide. */
export function segmentsKey(segments: readonly Segment[]): string {
  return segments.map((s) => (typeof s === 'number' ? `#${s}` : `.${s}`)).join('\u0000');
}
