// Which waiting pod gets capacity next. Fair across Jobs: the Job holding the
// fewest admitted pods goes first, so one wide Job cannot starve the others;
// within a Job, and between equally served Jobs, the oldest pod goes first.

export interface Candidate {
  uid: string;
  /** The owning Job's uid; a pod without an owner is a group of its own. */
  group: string;
  creationTimestamp: number;
  name: string;
}

/** Creation time, then name: a total order, so the choice never depends on map iteration. */
export function olderFirst(a: Candidate, b: Candidate): number {
  if (a.creationTimestamp !== b.creationTimestamp) return a.creationTimestamp - b.creationTimestamp;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A group's claim to the next slot: how many of its pods are admitted, and its oldest waiting pod. */
export interface GroupHead<C extends Candidate = Candidate> {
  admitted: number;
  head: C;
}

export function goesBefore(a: GroupHead, b: GroupHead): boolean {
  if (a.admitted !== b.admitted) return a.admitted < b.admitted;
  return olderFirst(a.head, b.head) < 0;
}

/** The candidate to offer capacity to next, given how many pods each group already has admitted. */
export function pickNext<C extends Candidate>(candidates: readonly C[], admitted: ReadonlyMap<string, number>): C | undefined {
  let best: GroupHead<C> | undefined;
  for (const c of candidates) {
    const g: GroupHead<C> = { admitted: admitted.get(c.group) ?? 0, head: c };
    if (best === undefined || goesBefore(g, best)) best = g;
  }
  return best?.head;
}
