export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that reads `startMs` now and then runs at real speed: the daemon's
 * test seam (GITJOBS_CLOCK_START), so a test can start a few seconds before a
 * minute boundary instead of waiting for one. Timers still wait real time.
 */
export function clockStartingAt(startMs: number, real: () => number = Date.now): Clock {
  const offset = startMs - real();
  return { now: () => real() + offset };
}
